// What each iptables match kproxy writes means for one packet, for the packet tracers. Only the matches the
// iptables and IPVS modes write are modelled; anything else throws TraceUnsupported (fail closed), so a
// new rule shape makes the tracer say "I do not know" instead of guessing.

import { canonicalIP } from '../model/service-filter.js';
import { TraceUnsupported } from '../explain/trace.js';
import type { ParsedRule, RuleMatch, RuleOption } from './rule-parser.js';
import { cidrContains } from '../model/cidr-contains.js';

/** The first packet of a connection as one hook sees it. */
export interface TracedPacket {
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  src: string;
  dst: string;
  dport: number;
  /** Interfaces, when known at this hook (none for the node's own packets in OUTPUT). */
  inInterface?: string;
  outInterface?: string;
  mark: number;
  /** Conntrack states: NEW, plus DNAT once the destination was rewritten. */
  readonly ctstates: Set<string>;
}

/** An ipset as data (the IPVS program carries its members in `ipset save` spelling). */
export interface IpsetData {
  readonly name: string;
  readonly type: string;
  readonly members: readonly string[];
}

/** The virtual server IPVS picked for this connection (what `-m ipvs --vaddr/--vport/--vproto` matches). */
export interface IpvsConnection {
  readonly address: string;
  readonly port: number;
  readonly protocol: string;
}

export interface MatchContext {
  readonly isLocal: (ip: string) => boolean;
  readonly sets?: ReadonlyMap<string, IpsetData>;
  readonly ipvs?: IpvsConnection;
  /** Takes a branch of `-m statistic --mode random`: true = this packet is the one matched. */
  readonly choose: (probability: number) => boolean;
  /** Called when a `-m recent` (ClientIP affinity) rule is met. */
  readonly affinity: () => void;
}

function unsupported(rule: ParsedRule, what: string): never {
  throw new TraceUnsupported(`${what} in ${rule.chain}: ${rule.text}`);
}


/** Mark and mask from `V/M` or `V` (mask all ones). */
export function markValue(spec: string): { value: number; mask: number } {
  const [v, m] = spec.split('/');
  return { value: Number(v) >>> 0, mask: m === undefined ? 0xffffffff : Number(m) >>> 0 };
}

function interfaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function portMatches(spec: string, port: number): boolean {
  const [lo, hi] = spec.split(':').map(Number);
  return hi === undefined ? port === lo : port >= lo! && port <= hi;
}

/** One option of one module; negation is applied by the caller. */
function optionHolds(module: string, o: RuleOption, p: TracedPacket, ctx: MatchContext, rule: ParsedRule): boolean {
  const v = o.values[0] ?? '';
  switch (`${module} ${o.name}`) {
    case ' -s': return cidrContains(v, p.src);
    case ' -d': return cidrContains(v, p.dst);
    case ' -p': return v.toLowerCase() === p.protocol;
    case ' -i':
      if (p.inInterface === undefined) return unsupported(rule, 'an -i match on a packet whose input interface is not known');
      return interfaceMatches(v, p.inInterface);
    case ' -o':
      if (p.outInterface === undefined) return unsupported(rule, 'an -o match on a packet whose output interface is not known');
      return interfaceMatches(v, p.outInterface);
    case 'tcp --dport': case 'udp --dport': case 'sctp --dport':
      return module === p.protocol && portMatches(v, p.dport);
    case 'comment --comment': return true;
    case 'addrtype --src-type': case 'addrtype --dst-type':
      if (v !== 'LOCAL') return unsupported(rule, `addrtype type ${v}`);
      return ctx.isLocal(o.name === '--src-type' ? p.src : p.dst);
    case 'mark --mark': {
      const { value, mask } = markValue(v);
      return ((p.mark & mask) >>> 0) === value;
    }
    case 'conntrack --ctstate': return v.split(',').some((s) => p.ctstates.has(s));
    case 'statistic --mode':
      if (v !== 'random') return unsupported(rule, `statistic mode ${v}`);
      return true;
    case 'statistic --probability': return ctx.choose(Number(v));
    // The first packet of a connection from a client not seen before: `--rcheck` finds nothing and `--set`
    // records it; either way the rule means ClientIP affinity.
    case 'recent --name': case 'recent --seconds': case 'recent --reap': return true;
    case 'recent --set': ctx.affinity(); return true;
    case 'recent --rcheck': ctx.affinity(); return false;
    // No bridge netfilter: packets from pods arrive on routed interfaces, never as bridge ports.
    case 'physdev --physdev-is-in': return false;
    case 'set --match-set': return setMatches(o.values, p, ctx, rule);
    case 'ipvs --vaddr': return ctx.ipvs !== undefined && cidrContains(v, ctx.ipvs.address);
    case 'ipvs --vport': return ctx.ipvs !== undefined && Number(v) === ctx.ipvs.port;
    case 'ipvs --vproto': return ctx.ipvs !== undefined && v.toLowerCase() === ctx.ipvs.protocol.toLowerCase();
    default: return unsupported(rule, `match ${module ? `-m ${module} ` : ''}${o.name}`);
  }
}

const KNOWN_MODULES = new Set(['', 'tcp', 'udp', 'sctp', 'comment', 'addrtype', 'mark', 'conntrack', 'statistic', 'recent', 'physdev', 'set', 'ipvs']);

export function ruleMatches(rule: ParsedRule, p: TracedPacket, ctx: MatchContext): boolean {
  // Statistic branches are taken last, so a packet that fails an earlier match takes no branch.
  const ordered: [RuleMatch, RuleOption][] = [];
  for (const m of rule.matches) {
    if (!KNOWN_MODULES.has(m.module)) unsupported(rule, `match module ${m.module}`);
    for (const o of m.options) ordered.push([m, o]);
  }
  ordered.sort(([a], [b]) => Number(a.module === 'statistic') - Number(b.module === 'statistic'));
  for (const [m, o] of ordered) {
    if (optionHolds(m.module, o, p, ctx, rule) === o.negated) return false;
  }
  return true;
}

function setMatches(values: readonly string[], p: TracedPacket, ctx: MatchContext, rule: ParsedRule): boolean {
  const [name, flagText] = values;
  const set = name === undefined ? undefined : ctx.sets?.get(name);
  if (!set || !flagText) return unsupported(rule, `ipset ${name ?? ''} not given to the tracer`);
  const flags = flagText.split(',');
  const ip = (f: string) => canonicalIP(f === 'src' ? p.src : p.dst);
  const port = (f: string) => (f === 'dst' ? p.dport : unsupported(rule, 'a source-port ipset match'));
  const kinds = set.type.split(':')[1]?.split(',') ?? [];
  if (kinds.length !== flags.length) return unsupported(rule, `ipset ${name} of type ${set.type} with flags ${flagText}`);
  const parts = kinds.map((k, i) => ({ kind: k, flag: flags[i]! }));
  return set.members.some((member) => {
    const fields = member.split(',');
    return parts.every(({ kind, flag }, i) => {
      const field = fields[i] ?? '';
      if (kind === 'ip') return canonicalIP(field) === ip(flag);
      if (kind === 'net') return cidrContains(field, ip(flag));
      if (kind !== 'port') return unsupported(rule, `ipset ${name} of type ${set.type}`);
      const [proto, num] = field.includes(':') ? field.split(':') : [p.protocol, field];
      return proto === p.protocol && Number(num) === port(flag);
    });
  });
}
