// How the packet tracer (tracer.ts) compares a packet's values with constants in rules and with the keys
// of set and map elements: one spelling per address (IPv6 written two ways is one address), CIDRs as
// intervals, numbers in decimal or hex, interface globs. Keys are concatenations ("a . b . c"); a field
// this file cannot read (a range, say) throws TraceUnsupported rather than matching by accident.

import { BlockList, isIP } from 'node:net';
import { TraceUnsupported } from '../../explain/trace.js';
import { canonicalIP } from '../../model/service-filter.js';
import type { NftElement } from './program.js';

const NUMBER = /^(0x[0-9a-f]+|\d+)$/i;

/** The one spelling of a packet value or an exact constant. */
export function canonicalField(text: string): string {
  if (text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  if (isIP(text)) return canonicalIP(text);
  if (NUMBER.test(text)) return String(Number(text));
  if (/^[a-z0-9_]+$/i.test(text)) return text.toLowerCase();
  throw new TraceUnsupported(`nft constant not modelled: ${JSON.stringify(text)}`);
}

const cidrs = new Map<string, BlockList>();

function inCIDR(value: string, cidr: string): boolean {
  let list = cidrs.get(cidr);
  if (!list) {
    const [net = '', bits = ''] = cidr.split('/');
    const v = isIP(net);
    if (!v || !/^\d+$/.test(bits)) throw new TraceUnsupported(`nft prefix not modelled: ${cidr}`);
    list = new BlockList();
    list.addSubnet(net, Number(bits), v === 4 ? 'ipv4' : 'ipv6');
    cidrs.set(cidr, list);
  }
  const v = isIP(value);
  return v !== 0 && list.check(value, v === 4 ? 'ipv4' : 'ipv6');
}

const isInterval = (field: string): boolean => field.includes('/') || (field.startsWith('"') && field.endsWith('*"'));

/** One packet value against one constant (exact, CIDR, or an interface-name glob). */
export function fieldMatches(value: string, constant: string): boolean {
  if (constant.includes('/')) return inCIDR(value, constant);
  if (constant.startsWith('"') && constant.endsWith('*"')) return value.startsWith(constant.slice(1, -2));
  return value === canonicalField(constant);
}

export function splitKey(key: string): string[] {
  return key.split(' . ').map((f) => f.trim());
}

interface SetIndex {
  /** Elements whose fields are all exact, by their canonical key. */
  readonly exact: Map<string, NftElement>;
  /** Elements with a CIDR or glob field: checked one by one. */
  readonly intervals: NftElement[];
}

/** Every element of one family's table, by set, ready for lookups by packet values. */
export class ElementIndex {
  private readonly sets = new Map<string, SetIndex>();

  constructor(elements: Iterable<NftElement>) {
    for (const e of elements) this.add(e);
  }

  add(e: NftElement): void {
    let s = this.sets.get(e.set);
    if (!s) this.sets.set(e.set, (s = { exact: new Map(), intervals: [] }));
    const fields = splitKey(e.key);
    if (fields.some(isInterval)) s.intervals.push(e);
    else s.exact.set(fields.map(canonicalField).join(' . '), e);
  }

  /** The element whose key matches the packet's values (canonical spellings, in key order), if any. */
  lookup(set: string, values: readonly string[]): NftElement | undefined {
    const s = this.sets.get(set);
    if (!s) return undefined;
    const hit = s.exact.get(values.join(' . '));
    if (hit) return hit;
    return s.intervals.find((e) => {
      const fields = splitKey(e.key);
      return fields.length === values.length && fields.every((f, i) => fieldMatches(values[i]!, f));
    });
  }
}
