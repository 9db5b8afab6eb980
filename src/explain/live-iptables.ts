// `kproxy explain --live` in iptables mode: are the rules the trace went through in the kernel now, and how
// many packets has each counted? The kernel is read with `iptables-save -c`; the comparison is a pure
// function over that text, so it is tested without root. iptables-save spells some rules differently from
// the restore input (option order, implicit `-m tcp`, `/32` masks), which the comparison evens out; a rule
// it still cannot find is reported as not found, never guessed.

import type { IPFamily } from '../model/types.js';
import { detectBackend, toolsFor, type BackendChoice } from '../netfilter/backend.js';
import { runTool } from '../exec/run-tool.js';
import type { LiveFinding } from './live-finding.js';
import type { TraceStep } from './trace.js';

interface CountedRule {
  readonly spec: string;
  readonly packets: number;
  readonly bytes: number;
}

const TABLES = new Set(['raw', 'mangle', 'nat', 'filter']);

/** table → chain → rules with counters, from `iptables-save -c`. */
export function parseCountedSave(text: string): Map<string, Map<string, CountedRule[]>> {
  const tables = new Map<string, Map<string, CountedRule[]>>();
  let current: Map<string, CountedRule[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) tables.set(line.slice(1), (current = new Map()));
    else if (current && line.startsWith(':')) current.set(line.slice(1).split(' ')[0]!, current.get(line.slice(1).split(' ')[0]!) ?? []);
    else if (current) {
      const m = /^\[(\d+):(\d+)\]\s+-A\s+(\S+)\s*(.*)$/.exec(line) ?? /^-A\s+(\S+)\s*(.*)$/.exec(line);
      if (!m) continue;
      const [chain, spec, packets, bytes] = m.length === 5 ? [m[3]!, m[4]!, Number(m[1]), Number(m[2])] : [m[1]!, m[2]!, 0, 0];
      const list = current.get(chain) ?? [];
      list.push({ spec: normalize(spec), packets, bytes });
      current.set(chain, list);
    }
  }
  return tables;
}

/** The trace's iptables steps (where = "TABLE CHAIN", rule = "-A CHAIN spec") against the kernel's rules. */
export function compareWithKernel(steps: readonly TraceStep[], saved: Map<string, Map<string, CountedRule[]>>): LiveFinding[] {
  const out: LiveFinding[] = [];
  for (const step of steps) {
    const [table, chain] = step.where.split(' ');
    if (!table || !chain || !TABLES.has(table)) continue;
    const rules = saved.get(table)?.get(chain);
    if (!rules) {
      out.push({ where: step.where, rule: step.rule, state: 'chain missing' });
      continue;
    }
    const spec = normalize(step.rule.replace(/^-[AI]\s+\S+\s*/, ''));
    const found = rules.find((r) => r.spec === spec);
    out.push(found ? { where: step.where, rule: step.rule, state: 'present', packets: found.packets, bytes: found.bytes } : { where: step.where, rule: step.rule, state: 'rule not found' });
  }
  return out;
}

/**
 * Evens out how iptables-save spells a rule: it orders the options its own way (-d and -p first), adds
 * `-m tcp` after `-p tcp`, writes host masks (/32) and quotes differently. A rule becomes its option groups
 * (a flag with its values, `!` kept with the flag it negates), host masks and implicit protocol modules
 * dropped, sorted: two spellings of one rule give the same key.
 */
function normalize(spec: string): string {
  const words = (spec.match(/"[^"]*"|\S+/g) ?? []).map((w) => canonicalNumbers(w.replace(/^"|"$/g, '').replace(/\/(32|128)$/, '')));
  const groups: string[] = [];
  let negate = false;
  for (const w of words) {
    if (w === '!') negate = true;
    else if (w.startsWith('-')) {
      groups.push(`${negate ? '! ' : ''}${w}`);
      negate = false;
    } else if (groups.length > 0) groups[groups.length - 1] += ` ${w}`;
    else groups.push(w);
  }
  return groups.filter((g) => !/^-m (tcp|udp|sctp)$/.test(g)).sort().join(' ');
}

/** 0x00004000 and 0x4000, 0.5000000000 and 0.50000000000 are one value to the kernel: write each one way. */
function canonicalNumbers(word: string): string {
  return word
    .split('/')
    .map((part) => (/^0x[0-9a-f]+$/i.test(part) ? `0x${parseInt(part, 16).toString(16)}` : /^\d+\.\d+$/.test(part) ? String(Number(part)) : part))
    .join('/');
}

/** Reads the family's nat and filter tables with counters (needs root; never names mangle, which would create it with legacy iptables). */
export async function readKernelRules(family: IPFamily, backend: BackendChoice): Promise<string> {
  const tools = toolsFor(await detectBackend(backend), family);
  let text = '';
  for (const table of ['nat', 'filter']) text += (await runTool(tools.save, ['-c', '-t', table], { timeoutMs: 10_000 })).stdout;
  return text;
}
