// Follows one packet through iptables rules read back from a program (rule-parser.ts), hook by hook, for
// the packet tracers behind `kproxy explain`. Targets kproxy writes are modelled (ACCEPT, DROP, REJECT,
// RETURN, jumps, DNAT, MASQUERADE, MARK); anything else throws TraceUnsupported. Random choices
// (`-m statistic`) are explored exhaustively by `everyBranch`, so a trace lists every endpoint reachable.

import { isIP } from 'node:net';
import { TraceUnsupported, type TraceStep } from '../explain/trace.js';
import { markValue, ruleMatches, type MatchContext, type TracedPacket } from './rule-matches.js';
import type { ParsedRule, RuleOption, RuleTables } from './rule-parser.js';

/** What a hook decided: the packet goes on (accept), or is dropped or refused. */
export type HookVerdict = 'accept' | 'drop' | 'reject';

/** One walk of the first packet: the packet state and what happened to it on the way. */
export interface PacketRun {
  readonly packet: TracedPacket;
  readonly steps: TraceStep[];
  dnat?: { ip: string; port: number };
  masqueraded: boolean;
  sticky: boolean;
}

const MAX_DEPTH = 64;

/** Runs `table`'s built-in `chain` (policy ACCEPT) over the packet. */
export function runHook(tables: RuleTables, table: string, chain: string, run: PacketRun, ctx: Omit<MatchContext, 'affinity'>): HookVerdict {
  const matchCtx: MatchContext = { ...ctx, affinity: () => { run.sticky = true; } };
  const v = runChain(tables, table, chain, run, matchCtx, 0);
  return v === 'return' ? 'accept' : v;
}

function runChain(tables: RuleTables, table: string, chain: string, run: PacketRun, ctx: MatchContext, depth: number): HookVerdict | 'return' {
  if (depth > MAX_DEPTH) throw new TraceUnsupported(`jumps nest deeper than ${MAX_DEPTH} at ${table} ${chain}`);
  const rules = tables.rules(table, chain);
  if (!rules) throw new TraceUnsupported(`${table} chain ${chain} is not in the program`);
  for (const rule of rules) {
    if (!ruleMatches(rule, run.packet, ctx)) continue;
    if (rule.target === '') continue; // a counting rule (e.g. "other traffic ... will be dropped")
    const before = run.steps.length;
    run.steps.push({ where: `${table} ${chain}`, rule: rule.text });
    const v = applyTarget(tables, table, rule, run, ctx, depth);
    if (v !== undefined) return v;
    // A jump into a chain where no rule matched decided nothing: leave it out of the steps.
    if (rule.target !== 'MARK' && run.steps.length === before + 1) run.steps.pop();
  }
  return 'return';
}

function option(rule: ParsedRule, name: string): RuleOption | undefined {
  return rule.targetOptions.find((o) => o.name === name);
}

function applyTarget(tables: RuleTables, table: string, rule: ParsedRule, run: PacketRun, ctx: MatchContext, depth: number): HookVerdict | 'return' | undefined {
  const p = run.packet;
  switch (rule.target) {
    case 'ACCEPT': return 'accept';
    case 'DROP': return 'drop';
    case 'REJECT': return 'reject';
    case 'RETURN': return 'return';
    case 'MARK': {
      const or = option(rule, '--or-mark');
      const xor = option(rule, '--xor-mark');
      const setx = option(rule, '--set-xmark');
      if (or) p.mark = (p.mark | markValue(or.values[0]!).value) >>> 0;
      else if (xor) p.mark = (p.mark ^ markValue(xor.values[0]!).value) >>> 0;
      else if (setx) {
        const { value, mask } = markValue(setx.values[0]!);
        p.mark = ((p.mark & ~mask) ^ value) >>> 0;
      } else throw new TraceUnsupported(`MARK target form in ${rule.chain}: ${rule.text}`);
      return undefined;
    }
    case 'DNAT': {
      const to = option(rule, '--to-destination')?.values[0];
      const dest = to === undefined ? undefined : parseHostPort(to);
      if (!dest || table !== 'nat') throw new TraceUnsupported(`DNAT form in ${rule.chain}: ${rule.text}`);
      run.dnat = dest;
      p.dst = dest.ip;
      p.dport = dest.port;
      p.ctstates.add('DNAT');
      return 'accept';
    }
    case 'MASQUERADE':
      if (table !== 'nat') throw new TraceUnsupported(`MASQUERADE outside nat: ${rule.text}`);
      run.masqueraded = true;
      return 'accept';
    default:
      if (/^[A-Z][A-Z0-9-]*$/.test(rule.target) && tables.rules(table, rule.target) && !['SNAT', 'LOG', 'NFLOG', 'CT', 'TPROXY', 'REDIRECT', 'NOTRACK', 'QUEUE', 'NFQUEUE'].includes(rule.target)) {
        const v = runChain(tables, table, rule.target, run, ctx, depth + 1);
        return v === 'return' ? undefined : v;
      }
      throw new TraceUnsupported(`target ${rule.target} in ${table} ${rule.chain}: ${rule.text}`);
  }
}

/** `IP:PORT` or `[IPv6]:PORT`. */
export function parseHostPort(text: string): { ip: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m || isIP(m[1]!) === 0) return undefined;
  return { ip: m[1]!, port: Number(m[2]) };
}

/** `IP:PORT`, IPv6 in brackets: how verdicts name endpoints. */
export function endpointText(ip: string, port: number): string {
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const MAX_BRANCHES = 4096;

/**
 * Runs `walk` once per combination of random choices it meets (depth first: each choice is taken, then
 * not taken), so together the results cover every endpoint a probability chain can reach.
 */
export function everyBranch<T>(walk: (choose: (probability: number) => boolean) => T): T[] {
  const results: T[] = [];
  const choices: boolean[] = [];
  for (;;) {
    let at = 0;
    results.push(walk((probability) => {
      if (probability >= 1) return true;
      if (probability <= 0) return false;
      if (at === choices.length) choices.push(true);
      return choices[at++]!;
    }));
    choices.length = at;
    while (choices.length > 0 && choices[choices.length - 1] === false) choices.pop();
    if (choices.length === 0) return results;
    choices[choices.length - 1] = false;
    if (results.length >= MAX_BRANCHES) throw new TraceUnsupported(`more than ${MAX_BRANCHES} random branches`);
  }
}
