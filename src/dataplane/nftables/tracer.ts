// The nftables packet tracer: follows the first packet of a connection through a rendered NftProgram the
// way the kernel would — base chains per hook in priority order (prerouting or output, then input, or
// forward and postrouting), jumps, gotos, verdict maps, endpoint maps — and says what happens to it. It
// reads only the program value (rule text is parsed by rule-expressions.ts; anything else there fails
// closed). Where the kernel picks (numgen, jhash, an affinity slot), every choice is followed and the
// endpoints of all of them are the answer; jhash and a recorded affinity make the connection sticky.

import { isIP } from 'node:net';
import { TraceUnsupported, type NodeFacts, type PacketTracer, type TraceOutcome, type TracedConnection, type TraceStep, type TraceVerdict } from '../../explain/trace.js';
import { canonicalIP } from '../../model/service-filter.js';
import { ElementIndex, fieldMatches, splitKey } from './element-match.js';
import type { BaseHook, ChainDecl, FamilyProgram, NftProgram, SetDecl } from './program.js';
import { elementText, TABLE_NAME } from './program.js';
import { parseRule, parseVerdict, type Statement, type ValueExpr, type Verdict } from './rule-expressions.js';

/** One family's table, indexed once per program (a program is a fresh value per render). */
interface Table {
  readonly program: FamilyProgram;
  readonly chains: ReadonlyMap<string, ChainDecl>;
  readonly sets: ReadonlyMap<string, SetDecl>;
  readonly elements: ElementIndex;
  readonly prefix: string;
}

const tables = new WeakMap<FamilyProgram, Table>();

function tableOf(program: FamilyProgram): Table {
  let t = tables.get(program);
  if (!t) {
    const elements = new ElementIndex(program.staticElements);
    for (const c of program.services.values()) for (const e of c.elements) elements.add(e);
    t = {
      program,
      chains: new Map(program.chains.map((c) => [c.name, c])),
      sets: new Map(program.sets.map((s) => [s.name, s])),
      elements,
      prefix: `${program.nftFamily} ${TABLE_NAME}`,
    };
    tables.set(program, t);
  }
  return t;
}

const NAMED_PRIORITIES: Readonly<Record<string, number>> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

function priorityOf(hook: BaseHook): number {
  const m = /^(-?\d+|[a-z]+)(?:\s*([+-])\s*(\d+))?$/.exec(hook.priority.trim());
  const base = m ? (/^-?\d+$/.test(m[1]!) ? Number(m[1]) : NAMED_PRIORITIES[m[1]!]) : undefined;
  if (base === undefined) throw new TraceUnsupported(`nft chain priority not modelled: ${hook.priority}`);
  return base + (m![2] === '-' ? -1 : 1) * Number(m![3] ?? 0);
}

/** Where the kernel picks among n values; the tracer follows each pick in turn (see enumerate). */
class Choices {
  readonly taken: number[] = [];
  readonly counts: number[] = [];
  constructor(readonly prefix: readonly number[]) {}

  pick(n: number): number {
    const depth = this.taken.length;
    const k = this.prefix[depth] ?? 0;
    this.taken.push(k);
    this.counts.push(n);
    return k;
  }
}

/** How a chain ended: fell off its end or returned (the caller goes on), or a verdict for the packet. */
type ChainEnd = 'continue' | 'accept' | 'drop' | 'reject';

interface Run {
  readonly outcome: TraceOutcome;
  readonly endpoint?: string;
  readonly masqueraded: boolean;
  readonly sticky: boolean;
  readonly steps: readonly TraceStep[];
}

const MAX_RUNS = 4096;
const MAX_DEPTH = 32;

export class NftTracer implements PacketTracer<NftProgram> {
  trace(program: NftProgram, connection: TracedConnection, node: NodeFacts): TraceVerdict {
    const v = isIP(connection.destination);
    if (!v) throw new TraceUnsupported(`not an IP address: ${connection.destination}`);
    if (isIP(connection.source) !== v) throw new TraceUnsupported(`source ${connection.source} and destination ${connection.destination} are of different families`);
    const family = program.families.find((f) => f.family === (v === 4 ? 'IPv4' : 'IPv6'));
    if (!family) return { outcome: 'passed', endpoints: [], masqueraded: false, sticky: false, steps: [] };
    const table = tableOf(family);
    const runs: Run[] = [];
    // Depth-first over every sequence of picks: run with a prefix of picks, then queue the alternatives
    // of each pick the run made beyond that prefix.
    const pending: number[][] = [[]];
    while (pending.length > 0) {
      if (runs.length >= MAX_RUNS) throw new TraceUnsupported(`more than ${MAX_RUNS} paths through the nft program`);
      const choices = new Choices(pending.pop()!);
      runs.push(new PacketWalk(table, connection, node, choices).run());
      for (let d = choices.prefix.length; d < choices.taken.length; d++) {
        for (let k = 1; k < choices.counts[d]!; k++) pending.push([...choices.taken.slice(0, d), k]);
      }
    }
    return merge(runs);
  }
}

export const nftablesTracer = new NftTracer();

function merge(runs: readonly Run[]): TraceVerdict {
  const first = runs[0]!;
  const outcomes = new Set(runs.map((r) => r.outcome));
  if (outcomes.size > 1) throw new TraceUnsupported(`the kernel's picks lead to different outcomes: ${[...outcomes].join(', ')}`);
  const steps = [...first.steps];
  const seen = new Set(steps.map((s) => `${s.where}\n${s.rule}`));
  for (const r of runs.slice(1)) {
    for (const s of r.steps) {
      const id = `${s.where}\n${s.rule}`;
      if (!seen.has(id)) (seen.add(id), steps.push(s));
    }
  }
  const answered = first.outcome === 'answered';
  return {
    outcome: first.outcome,
    endpoints: answered ? [...new Set(runs.map((r) => r.endpoint!))].sort() : [],
    masqueraded: runs.every((r) => r.masqueraded),
    sticky: answered && runs.every((r) => r.sticky),
    steps,
  };
}

/** One path of the first packet through the table, with one sequence of picks. */
class PacketWalk {
  private saddr: string;
  private daddr: string;
  private dport: number;
  private readonly proto: string;
  private readonly iifname: string;
  private mark = 0;
  private endpoint: string | undefined;
  private masqueraded = false;
  private sticky = false;
  private rejected = false;
  private readonly steps: TraceStep[] = [];
  private readonly local: Set<string>;

  constructor(
    private readonly table: Table,
    private readonly conn: TracedConnection,
    node: NodeFacts,
    private readonly choices: Choices,
  ) {
    this.saddr = canonicalIP(conn.source);
    this.daddr = canonicalIP(conn.destination);
    this.dport = conn.port;
    this.proto = conn.protocol.toLowerCase();
    // The node's own packets have no input interface: nft reads the name as empty.
    this.iifname = conn.origin === 'node' ? '' : (conn.inInterface ?? '');
    this.local = new Set(node.localAddresses.map(canonicalIP));
  }

  run(): Run {
    const end = this.conn.origin === 'node' ? this.fromNode() : this.fromOutside();
    const outcome: TraceOutcome = end === 'drop' ? (this.rejected ? 'rejected' : 'dropped') : this.endpoint ? 'answered' : 'passed';
    return { outcome, endpoint: this.endpoint, masqueraded: this.masqueraded && outcome !== 'dropped' && outcome !== 'rejected', sticky: this.sticky, steps: this.steps };
  }

  /** Locally generated: output, postrouting, then input when it is addressed to the node. */
  private fromNode(): ChainEnd {
    for (const hook of ['output', 'postrouting'] as const) if (this.hook(hook) === 'drop') return 'drop';
    return this.isLocal(this.daddr) ? this.hook('input') : 'accept';
  }

  /** Arriving: prerouting, then routing on the (maybe rewritten) destination: input, or forward and postrouting. */
  private fromOutside(): ChainEnd {
    if (this.hook('prerouting') === 'drop') return 'drop';
    if (this.isLocal(this.daddr)) return this.hook('input');
    return this.hook('forward') === 'drop' ? 'drop' : this.hook('postrouting');
  }

  private isLocal(addr: string): boolean {
    return this.local.has(addr) || fieldMatches(addr, isIP(addr) === 4 ? '127.0.0.0/8' : '::1/128');
  }

  /** Every base chain of the hook in priority order; accept ends one chain, drop (and reject) the packet. */
  private hook(hook: BaseHook['hook']): 'accept' | 'drop' {
    const base = this.table.program.chains.filter((c) => c.base?.hook === hook).map((c, i) => ({ c, i, p: priorityOf(c.base!) }));
    base.sort((a, b) => a.p - b.p || a.i - b.i);
    for (const { c } of base) {
      const end = this.chain(c.name, 0);
      if (end === 'drop' || end === 'reject') return 'drop';
    }
    return 'accept';
  }

  private chain(name: string, depth: number): ChainEnd {
    if (depth > MAX_DEPTH) throw new TraceUnsupported(`nft chains nest deeper than ${MAX_DEPTH} (a loop?) at ${name}`);
    const decl = this.table.chains.get(name);
    if (!decl) throw new TraceUnsupported(`nft chain ${name} is named but not in the program`);
    for (const rule of decl.rules) {
      const end = this.rule(decl.name, rule, depth);
      if (end !== undefined) return end;
    }
    return 'continue';
  }

  /** undefined: the rule did not match or ended without a verdict, so the next rule runs. */
  private rule(chain: string, text: string, depth: number): ChainEnd | undefined {
    let fired = false;
    const fire = (): void => {
      if (!fired) this.steps.push({ where: `${this.table.prefix} ${chain}`, rule: text });
      fired = true;
    };
    for (const s of parseRule(text)) {
      switch (s.kind) {
        case 'compare':
          if (!this.compare(s)) return undefined;
          break;
        case 'vmap': {
          const verdict = this.vmap(s, fire);
          if (!verdict) return undefined;
          return this.verdict(verdict, depth);
        }
        case 'verdict': {
          const before = this.steps.length;
          fire();
          const end = this.verdict(s.verdict, depth);
          // A jump into a chain where nothing matched decided nothing: keep the steps to what did.
          if (s.verdict.kind === 'jump' && end === undefined && this.steps.length === before + 1) this.steps.pop();
          return end;
        }
        case 'reject':
          fire();
          this.rejected = true;
          return 'reject';
        case 'masquerade':
          fire();
          this.masqueraded = true;
          return 'accept';
        case 'setMark':
          fire();
          this.mark = Number(this.one(s.value)) >>> 0;
          break;
        case 'update':
          fire();
          if (!this.table.sets.get(s.set)?.dynamic) throw new TraceUnsupported(`nft update of @${s.set}, which is not a dynamic set`);
          this.fields(s.key);
          // The slot is recorded for this client: its next connections come back here.
          this.sticky = true;
          break;
        case 'dnatMap': {
          const element = this.lookup(s.map, this.fields(s.key));
          // A key missing from the map breaks the rule, as the kernel's lookup does.
          if (!element) return undefined;
          fire();
          this.steps.push({ where: s.map, rule: elementText(element) });
          const [ip = '', port = ''] = splitKey(element.value ?? '');
          if (!isIP(ip) || !/^\d+$/.test(port)) throw new TraceUnsupported(`nft DNAT target not modelled: ${element.value}`);
          this.daddr = canonicalIP(ip);
          this.dport = Number(port);
          this.endpoint = isIP(ip) === 6 ? `[${this.daddr}]:${port}` : `${this.daddr}:${port}`;
          return 'accept';
        }
      }
    }
    return undefined;
  }

  private verdict(v: Verdict, depth: number): ChainEnd | undefined {
    switch (v.kind) {
      case 'continue':
        return undefined;
      case 'accept':
      case 'drop':
        return v.kind;
      case 'return':
        return 'continue';
      case 'jump': {
        const end = this.chain(v.chain, depth + 1);
        return end === 'continue' ? undefined : end;
      }
      case 'goto':
        // The goto'd chain's end is this chain's end: the caller of this chain goes on.
        return this.chain(v.chain, depth + 1);
    }
  }

  private vmap(s: Extract<Statement, { kind: 'vmap' }>, fire: () => void): Verdict | undefined {
    const values = this.fields(s.value);
    if (s.inline) {
      const hit = s.inline.find((e) => splitKey(e.key).length === values.length && splitKey(e.key).every((f, i) => fieldMatches(values[i]!, f)));
      if (hit) fire();
      return hit?.verdict;
    }
    const element = this.lookup(s.map!, values);
    if (!element) return undefined;
    fire();
    this.steps.push({ where: s.map!, rule: elementText(element) });
    return parseVerdict(element.value ?? '');
  }

  private compare(s: Extract<Statement, { kind: 'compare' }>): boolean {
    const values = this.fields(s.value);
    let hit: boolean;
    if (s.set !== undefined) {
      hit = this.lookup(s.set, values) !== undefined;
    } else {
      const constant = s.constant!;
      if (s.value.kind === 'ctState' && !['new', 'established', 'related', 'invalid', 'untracked'].includes(constant[0]!)) throw new TraceUnsupported(`ct state ${constant.join(' ')}`);
      if (s.value.kind === 'ctStatus' && constant[0] !== 'dnat') throw new TraceUnsupported(`ct status ${constant.join(' ')}`);
      if (s.value.kind === 'fibType' && !['local', 'unicast'].includes(constant[0]!)) throw new TraceUnsupported(`fib type ${constant.join(' ')}`);
      hit = constant.length === values.length && constant.every((c, i) => fieldMatches(values[i]!, c));
    }
    return s.negate ? !hit : hit;
  }

  /** A set or map lookup; the dynamic affinity set holds nothing for the first packet of a client. */
  private lookup(set: string, values: readonly string[]) {
    const decl = this.table.sets.get(set);
    if (!decl) throw new TraceUnsupported(`nft set @${set} is named but not in the program`);
    if (decl.dynamic) return undefined;
    return this.table.elements.lookup(set, values);
  }

  private fields(e: ValueExpr): string[] {
    return e.kind === 'concat' ? e.parts.flatMap((p) => this.fields(p)) : [this.one(e)];
  }

  private one(e: ValueExpr): string {
    switch (e.kind) {
      case 'addr':
        return e.which === 'saddr' ? this.saddr : this.daddr;
      case 'l4proto':
        return this.proto;
      case 'dport':
        return String(this.dport);
      case 'mark':
        return String(this.mark);
      case 'iifname':
        return this.iifname;
      case 'fibType':
        return this.isLocal(e.which === 'saddr' ? this.saddr : this.daddr) ? 'local' : 'unicast';
      case 'ctState':
        return 'new';
      case 'ctStatus':
        return this.endpoint ? 'dnat' : '';
      case 'numgen':
        return String(e.offset + this.choices.pick(e.mod));
      case 'jhash':
        // The hash fixes one slot per address; which one is the kernel's arithmetic, not modelled here.
        this.sticky = true;
        return String(e.offset + this.choices.pick(e.mod));
      case 'concat':
        throw new TraceUnsupported('nested concatenation');
      case 'binop': {
        const left = Number(this.one(e.left));
        const right = Number(e.constant);
        if (!Number.isInteger(right)) throw new TraceUnsupported(`nft operand not modelled: ${e.constant}`);
        const out = e.op === '&' ? left & right : e.op === '|' ? left | right : left ^ right;
        return String(out >>> 0);
      }
    }
  }
}
