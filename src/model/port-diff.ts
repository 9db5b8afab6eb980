// Comparing a Service's ports before and after a rebuild: which changed, and which changed UDP ports
// need their conntrack entries cleared.

import { deepEqual } from './deep-equal.js';
import type { IPFamily, ServicePort, ServicePortKey } from './types.js';

/** Keeps old objects for ports that did not change and reports the others. Returns the ports in force. */
export function reconcilePorts(
  previous: readonly ServicePort[],
  next: readonly ServicePort[],
  report: (key: ServicePortKey, family: IPFamily, old: ServicePort | undefined, port: ServicePort | undefined) => void,
): ServicePort[] {
  if (previous.length === 0) {
    for (const port of next) report(port.key, port.family, undefined, port);
    return [...next];
  }
  const old = new Map(previous.map((p) => [`${p.family}|${p.key}`, p]));
  const kept: ServicePort[] = [];
  for (const port of next) {
    const at = `${port.family}|${port.key}`;
    const before = old.get(at);
    old.delete(at);
    if (before && deepEqual(before, port)) {
      kept.push(before);
      continue;
    }
    kept.push(port);
    report(port.key, port.family, before, port);
  }
  for (const gone of old.values()) report(gone.key, gone.family, gone, undefined);
  return kept;
}

function udpIPs(port: ServicePort | undefined): Set<string> {
  const ips = new Set<string>();
  if (port?.protocol === 'UDP') for (const ep of port.selection.allReachable) ips.add(ep.ip);
  return ips;
}

/**
 * A UDP port needs conntrack cleanup when an endpoint IP it sent to is gone (flows would keep going to
 * it) or when it gains its first endpoint (flows to the port were black-holed and cached as such).
 */
export function needsUDPCleanup(previous: ServicePort | undefined, current: ServicePort | undefined): boolean {
  const before = udpIPs(previous);
  const after = udpIPs(current);
  if (before.size === 0) return after.size > 0;
  for (const ip of before) if (!after.has(ip)) return true;
  return false;
}
