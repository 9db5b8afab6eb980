// ipsets and kube-ipvs0 addresses: read what the kernel holds, and turn the difference into one
// `ipset restore` script and one `ip -batch` script.

import { isIP } from 'node:net';
import { ipsetCreateOptions } from './ipset-table.js';
import { canonicalIP, type IpsetContent } from './program.js';

/** Members per set name from `ipset save` output, for the sets named in `names`. */
export function parseIpsetSave(text: string, names: ReadonlySet<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const [op, name, member] = line.trim().split(/\s+/);
    if (!name || !names.has(name)) continue;
    if (op === 'create' && !out.has(name)) out.set(name, new Set());
    if (op === 'add' && member) {
      let set = out.get(name);
      if (!set) out.set(name, (set = new Set()));
      set.add(member);
    }
  }
  return out;
}

/**
 * `ipset restore -exist` input turning `current` into `want`. Sets are created when missing (or always,
 * on a full sync: -exist makes that a no-op); members are added and deleted one by one.
 */
export function ipsetRestoreScript(want: readonly IpsetContent[], current: ReadonlyMap<string, ReadonlySet<string>>, createAll: boolean): string {
  const lines: string[] = [];
  for (const s of want) {
    const have = current.get(s.name);
    if (!have || createAll) lines.push(`create ${s.name} ${s.type} ${ipsetCreateOptions(s.type, s.family)}`);
    const wanted = new Set(s.members);
    for (const m of s.members) if (!have?.has(m)) lines.push(`add ${s.name} ${m}`);
    for (const m of have ?? []) if (!wanted.has(m)) lines.push(`del ${s.name} ${m}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Addresses on a device from `ip -o addr show dev DEV`. */
export function parseDeviceAddresses(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /\sinet6?\s+([0-9a-fA-F:.]+)\//.exec(line);
    if (m?.[1]) out.push(canonicalIP(m[1]));
  }
  return out;
}

/** `ip -batch -` lines adding and removing addresses on `device`. */
export function addressBatch(device: string, add: readonly string[], remove: readonly string[]): string {
  const len = (ip: string) => (isIP(ip) === 6 ? 128 : 32);
  return [
    ...add.map((ip) => `address add ${ip}/${len(ip)} dev ${device}${isIP(ip) === 6 ? ' nodad' : ''}`),
    ...remove.map((ip) => `address del ${ip}/${len(ip)} dev ${device}`),
  ].map((l) => `${l}\n`).join('');
}

/**
 * `ip -force -batch` runs every line and fails at the end if any did. An address that is already there
 * (EEXIST) or already gone (EADDRNOTAVAIL) is the state we wanted, e.g. when something else touched
 * kube-ipvs0 between two partial syncs; any other error is real.
 */
export function onlyBenignAddressErrors(stderr: string): boolean {
  const errors = stderr.split('\n').filter((l) => l.startsWith('RTNETLINK answers:') || l.startsWith('Error:'));
  return errors.length > 0 && errors.every((l) => /File exists|Cannot assign requested address/.test(l));
}
