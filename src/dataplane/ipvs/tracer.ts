// The IPVS mode's packet tracer (`kproxy explain`). kube-ipvs0's addresses are local, so a packet to a
// Service address is delivered up the stack: nat PREROUTING (the companion rules only mark), filter INPUT
// (VIP filter, LB source ranges), then IPVS in LOCAL_IN looks up the virtual server and sends the
// connection to a real server; nat POSTROUTING masquerades marked and hairpin packets. The node's own
// packets meet IPVS in LOCAL_OUT, between nat OUTPUT and filter OUTPUT. The iptables rules are walked by
// the netfilter toolkit's interpreter, with the program's ipsets as data.

import { canonicalIP } from '../../model/service-filter.js';
import type { NodeFacts, PacketTracer, TracedConnection, TraceStep, TraceVerdict } from '../../explain/trace.js';
import { endpointText, runHook, type HookVerdict, type PacketRun } from '../../netfilter/iptables-interpreter.js';
import { familyOfAddress, firstPacket, localTest } from '../../netfilter/packet-start.js';
import { foldPaths, type PathResult } from '../../netfilter/path-verdict.js';
import type { IpsetData, IpvsConnection } from '../../netfilter/rule-matches.js';
import { RuleTables } from '../../netfilter/rule-parser.js';
import { hostPort } from '../../model/host-port.js';
import type { FamilyIpvsProgram, IpvsProgram, VirtualServer } from './program.js';

/**
 * Hashing schedulers: one client (sh, mh: source hash) or one destination (dh) always gets the same real
 * server, unless the hash takes the source port too (the sh-port / mh-port flag kproxy sets for mh).
 */
const HASHING_SCHEDULERS = new Set(['sh', 'dh', 'mh']);

function stickyByHash(vs: VirtualServer): boolean {
  return HASHING_SCHEDULERS.has(vs.scheduler) && !vs.schedulerFlags.some((f) => f.endsWith('-port'));
}
const OUTCOME = { drop: 'dropped', reject: 'rejected' } as const;

export class IpvsTracer implements PacketTracer<IpvsProgram> {
  trace(program: IpvsProgram, connection: TracedConnection, node: NodeFacts): TraceVerdict {
    const fp = program.families.find((f) => f.family === familyOfAddress(connection.destination));
    if (!fp) return { outcome: 'passed', endpoints: [], masqueraded: false, sticky: false, steps: [] };
    const tables = new RuleTables().load(fp.nat).load(fp.filter).insertJumps(fp.jumps);
    const sets = new Map<string, IpsetData>(fp.ipsets.map((s) => [s.name, s]));
    const isLocal = localTest([...node.localAddresses, ...fp.boundAddresses]);
    const noChoice = (): boolean => {
      throw new Error('the IPVS mode writes no random rules');
    };
    const hook = (table: string, chain: string, run: PacketRun, ipvs?: IpvsConnection): HookVerdict =>
      runHook(tables, table, chain, run, { isLocal, sets, choose: noChoice, ...(ipvs ? { ipvs } : {}) });
    // The kernel's local route for an address on kube-ipvs0 names that address as its source, so the
    // node's own connection to a Service address there leaves from the Service address itself.
    const bound = new Set(fp.boundAddresses.map(canonicalIP));
    const destination = canonicalIP(connection.destination);
    if (connection.origin === 'node' && bound.has(destination) && canonicalIP(connection.source) !== destination) {
      return { ...walk(fp, { ...connection, source: destination }, hook, isLocal), source: destination };
    }
    return walk(fp, connection, hook, isLocal);
  }
}

type Hook = (table: string, chain: string, run: PacketRun, ipvs?: IpvsConnection) => HookVerdict;

function walk(fp: FamilyIpvsProgram, c: TracedConnection, hook: Hook, isLocal: (ip: string) => boolean): TraceVerdict {
  const run: PacketRun = { packet: firstPacket(c), steps: [], masqueraded: false, sticky: false };
  const p = run.packet;
  const stop = (v: HookVerdict): TraceVerdict | undefined =>
    v === 'accept' ? undefined : foldPaths([{ outcome: OUTCOME[v], masqueraded: false, sticky: false, steps: run.steps }]);
  const passed = (): TraceVerdict => foldPaths([{ outcome: 'passed', masqueraded: false, sticky: false, steps: run.steps }]);
  let vs: VirtualServer | undefined;
  if (c.origin === 'node') {
    const early = stop(hook('nat', 'OUTPUT', run));
    if (early) return early;
    vs = lookup(fp, c, p.dst, p.dport);
    const filtered = stop(hook('filter', 'OUTPUT', run, vs ? ipvsOf(vs) : undefined));
    if (filtered) return filtered;
    if (!vs) {
      const post = stop(hook('nat', 'POSTROUTING', run));
      if (post || !isLocal(p.dst)) return post ?? passed();
      p.inInterface = 'lo';
      return stop(hook('filter', 'INPUT', run)) ?? passed();
    }
  } else {
    const early = stop(hook('nat', 'PREROUTING', run));
    if (early) return early;
    if (!isLocal(p.dst)) return stop(hook('filter', 'FORWARD', run)) ?? passed();
    const input = stop(hook('filter', 'INPUT', run));
    if (input) return input;
    vs = lookup(fp, c, p.dst, p.dport);
    if (!vs) return passed();
  }
  return toRealServers(vs, run, hook);
}

/** IPVS picks a real server (none: ICMP port unreachable); each one is walked through nat POSTROUTING. */
function toRealServers(vs: VirtualServer, run: PacketRun, hook: Hook): TraceVerdict {
  const where = `virtual server ${vs.protocol} ${hostPort(vs.address, vs.port)}`;
  const flags = [vs.scheduler, ...vs.schedulerFlags, ...(vs.persistence > 0 ? [`persistent ${vs.persistence}`] : [])].join(' ');
  const vsStep: TraceStep = { where, rule: `-s ${flags} (${vs.service})` };
  if (vs.realServers.length === 0) {
    return foldPaths([{ outcome: 'rejected', masqueraded: false, sticky: false, steps: [...run.steps, vsStep] }]);
  }
  const sticky = vs.persistence > 0 || stickyByHash(vs);
  const paths: PathResult[] = vs.realServers.map((rs) => {
    const branch: PacketRun = {
      packet: { ...run.packet, dst: rs.address, dport: rs.port, ctstates: new Set(run.packet.ctstates) },
      steps: [...run.steps, vsStep, { where, rule: `-r ${hostPort(rs.address, rs.port)} -m -w ${rs.weight}` }],
      masqueraded: false,
      sticky,
    };
    const v = hook('nat', 'POSTROUTING', branch, ipvsOf(vs));
    return { outcome: 'answered', endpoint: endpointText(rs.address, rs.port), masqueraded: v === 'accept' && branch.masqueraded, sticky, steps: branch.steps };
  });
  return foldPaths(paths);
}

function lookup(fp: FamilyIpvsProgram, c: TracedConnection, ip: string, port: number): VirtualServer | undefined {
  const address = canonicalIP(ip);
  return fp.virtualServers.find((v) => v.protocol === c.protocol && v.port === port && canonicalIP(v.address) === address);
}

function ipvsOf(vs: VirtualServer): IpvsConnection {
  return { address: vs.address, port: vs.port, protocol: vs.protocol };
}
