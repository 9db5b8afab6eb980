// The iptables mode's packet tracer (`kproxy explain`): reads the program's restore text back into rules,
// adds the jumps kproxy inserts into the built-in chains (static-structure.ts), and walks the first packet
// of a connection through the hooks it meets: nat PREROUTING, then filter INPUT (local destination after
// DNAT) or filter FORWARD and nat POSTROUTING; the node's own packets take nat and filter OUTPUT, nat
// POSTROUTING, and filter INPUT when they stay on the node. Every random branch is walked.

import { TraceUnsupported, type NodeFacts, type PacketTracer, type TracedConnection, type TraceVerdict } from '../../explain/trace.js';
import { endpointText, everyBranch, runHook, type HookVerdict, type PacketRun } from '../../netfilter/iptables-interpreter.js';
import { familyOfAddress, firstPacket, localTest } from '../../netfilter/packet-start.js';
import { foldPaths, type PathResult } from '../../netfilter/path-verdict.js';
import { RuleTables } from '../../netfilter/rule-parser.js';
import { tableRestoreText } from '../../netfilter/restore-writer.js';
import type { IptablesProgram } from './program.js';
import { JUMP_RULES } from './static-structure.js';

const OUTCOME = { drop: 'dropped', reject: 'rejected' } as const;

export class IptablesTracer implements PacketTracer<IptablesProgram> {
  trace(program: IptablesProgram, connection: TracedConnection, node: NodeFacts): TraceVerdict {
    const fp = program.families.find((f) => f.family === familyOfAddress(connection.destination));
    if (!fp) return { outcome: 'passed', endpoints: [], masqueraded: false, sticky: false, steps: [] };
    if (!fp.full) throw new TraceUnsupported('a partial-sync program holds only the changed chains: trace a full render');
    const tables = new RuleTables().load(tableRestoreText(fp.filter)).load(tableRestoreText(fp.nat)).insertJumps(JUMP_RULES);
    const isLocal = localTest(node.localAddresses);
    return foldPaths(everyBranch((choose) => walk(connection, (table, chain, run) => runHook(tables, table, chain, run, { isLocal, choose }), isLocal)));
  }
}

type Hook = (table: string, chain: string, run: PacketRun) => HookVerdict;

function walk(c: TracedConnection, hook: Hook, isLocal: (ip: string) => boolean): PathResult {
  const run: PacketRun = { packet: firstPacket(c), steps: [], masqueraded: false, sticky: false };
  const sequence: [string, string][] = [];
  if (c.origin === 'node') sequence.push(['nat', 'OUTPUT'], ['filter', 'OUTPUT'], ['nat', 'POSTROUTING']);
  else sequence.push(['nat', 'PREROUTING']);
  for (let i = 0; i < sequence.length; i++) {
    const [table, chain] = sequence[i]!;
    const v = hook(table, chain, run);
    if (v !== 'accept') return { ...result(run), outcome: OUTCOME[v] };
    // After the destination is final (DNAT in PREROUTING / OUTPUT), routing picks the rest of the way.
    if (c.origin !== 'node' && chain === 'PREROUTING') {
      if (isLocal(run.packet.dst)) sequence.push(['filter', 'INPUT']);
      else sequence.push(['filter', 'FORWARD'], ['nat', 'POSTROUTING']);
    }
    if (c.origin === 'node' && chain === 'POSTROUTING' && isLocal(run.packet.dst)) {
      run.packet.inInterface = 'lo';
      sequence.push(['filter', 'INPUT']);
    }
  }
  return result(run);
}

function result(run: PacketRun): PathResult {
  return {
    outcome: run.dnat ? 'answered' : 'passed',
    ...(run.dnat ? { endpoint: endpointText(run.dnat.ip, run.dnat.port) } : {}),
    masqueraded: run.masqueraded,
    sticky: run.sticky,
    steps: run.steps,
  };
}
