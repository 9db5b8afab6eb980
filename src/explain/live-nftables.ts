// `kproxy explain --live` in nftables mode: are the chains, rules and set/map elements the trace went
// through in the kernel now, and what do the counters kproxy puts on its rules say? The kernel is read
// with `nft list table <family> kproxy` (text: rules come back as nft prints them, which is close to what
// the renderer writes); the comparison is a pure function over that text, so it is tested without root.
// nft respells some things (`th dport` after a protocol match becomes `tcp dport`, `offset 0` and the
// zeros of IPv6 addresses disappear, hex marks and durations change form), which the comparison evens
// out; a rule or element it still cannot find is reported as not found, never guessed.

import { isIP } from 'node:net';
import type { IPFamily } from '../model/types.js';
import { canonicalIP } from '../model/service-filter.js';
import { runTool, ToolError } from '../exec/run-tool.js';
import { nftFamilyOf, TABLE_NAME } from '../dataplane/nftables/program.js';
import type { LiveFinding } from './live-finding.js';
import type { TraceStep } from './trace.js';

interface CountedRule {
  readonly text: string;
  readonly packets?: number;
  readonly bytes?: number;
}

/** One family's kproxy table as the kernel holds it: rules per chain, elements per set or map. */
export interface KernelTable {
  readonly chains: ReadonlyMap<string, readonly CountedRule[]>;
  readonly sets: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Reads `nft list table` text. An empty text (no table) gives an empty table: everything is missing. */
export function parseNftListing(text: string): KernelTable {
  const chains = new Map<string, CountedRule[]>();
  const sets = new Map<string, Set<string>>();
  let rules: CountedRule[] | undefined;
  let elements: Set<string> | undefined;
  /** Text of an `elements = { ... }` list not closed yet on its first line. */
  let open: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (open !== undefined) {
      open += ` ${line}`;
      if (line.endsWith('}')) (addElements(open, elements!), (open = undefined));
      continue;
    }
    const head = /^(chain|set|map) (\S+) \{$/.exec(line);
    if (head) {
      if (head[1] === 'chain') chains.set(head[2]!, (rules = [])), (elements = undefined);
      else sets.set(head[2]!, (elements = new Set())), (rules = undefined);
    } else if (line === '}' || line.startsWith('table ')) {
      rules = elements = undefined;
    } else if (elements && line.startsWith('elements = {')) {
      if (line.endsWith('}')) addElements(line, elements);
      else open = line;
    } else if (rules && line !== '' && !/^(type \S+ hook |comment |policy )/.test(line)) {
      const counted = /\bcounter packets (\d+) bytes (\d+)/.exec(line);
      rules.push({ text: normalize(line), ...(counted ? { packets: Number(counted[1]), bytes: Number(counted[2]) } : {}) });
    }
  }
  return { chains, sets };
}

function addElements(list: string, into: Set<string>): void {
  const body = list.slice(list.indexOf('{') + 1, list.lastIndexOf('}'));
  for (const e of body.split(',')) if (e.trim() !== '') into.add(normalize(e));
}

/**
 * The trace's nftables steps against the kernel's table of the connection's family: chain steps
 * (where = "ip kproxy CHAIN") by rule text, set and map steps (where = the set's name) by element.
 */
export function compareWithNftKernel(steps: readonly TraceStep[], kernel: KernelTable): LiveFinding[] {
  return steps.map((step): LiveFinding => {
    const chain = /^ip6? \S+ (\S+)$/.exec(step.where)?.[1];
    if (chain !== undefined) {
      const rules = kernel.chains.get(chain);
      if (!rules) return { ...step, state: 'chain missing' };
      const found = rules.find((r) => r.text === normalize(step.rule));
      if (!found) return { ...step, state: 'rule not found' };
      return { ...step, state: 'present', ...(found.packets !== undefined ? { packets: found.packets, bytes: found.bytes } : {}) };
    }
    const elements = kernel.sets.get(step.where);
    if (!elements) return { ...step, state: 'set missing' };
    return { ...step, state: elements.has(normalize(step.rule)) ? 'present' : 'element missing' };
  });
}

/** One spelling of a rule or element for both sides: nft's listing and the renderer's text. */
function normalize(text: string): string {
  const words = text
    .replace(/"/g, '')
    .replace(/\bcounter packets \d+ bytes \d+/g, 'counter')
    // After `meta l4proto tcp` nft prints the port match as `tcp dport`; the renderer writes `th dport`.
    .replace(/\b(tcp|udp|sctp) dport\b/g, 'th dport')
    .replace(/ offset 0\b/g, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  return words.map(canonicalWord).join(' ');
}

/** 0x00004000 and 16384, 60s and 1m, fd00:0::1 and fd00::1 (with or without a prefix): one value each. */
function canonicalWord(word: string): string {
  if (/^0x[0-9a-f]+$/i.test(word)) return String(parseInt(word, 16));
  const duration = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(word);
  if (duration && /[dhms]$/.test(word)) {
    const [d = 0, h = 0, m = 0, s = 0] = duration.slice(1).map((n) => Number(n ?? 0));
    return `${((d * 24 + h) * 60 + m) * 60 + s}s`;
  }
  const [addr = '', prefix] = word.split('/');
  if (isIP(addr) === 6) return prefix === undefined ? canonicalIP(addr) : `${canonicalIP(addr)}/${prefix}`;
  return word;
}

/** Reads the family's kproxy table (needs root); no table at all reads as an empty listing. */
export async function readKernelTable(family: IPFamily): Promise<string> {
  try {
    return (await runTool('nft', ['list', 'table', nftFamilyOf(family), TABLE_NAME], { timeoutMs: 60_000 })).stdout;
  } catch (err) {
    if (err instanceof ToolError && /No such file or directory/.test(err.stderr)) return '';
    throw err;
  }
}
