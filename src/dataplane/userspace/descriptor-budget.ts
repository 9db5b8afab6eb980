// Every userspace listener holds a file descriptor for as long as it serves, and every relayed TCP
// connection two more. A process that spends its whole open-file limit on listeners can no longer accept
// a connection, start iptables-restore or answer /healthz, so listeners stop at the limit less a reserve.

import { readFileSync } from 'node:fs';

/**
 * The process's soft open-file limit from /proc/self/limits (Node raises it to the hard limit at start);
 * undefined when it cannot be read or is unlimited.
 */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Descriptors kept for connections, tools and the HTTP servers: a tenth of the limit, at least 256. */
export function descriptorReserve(limit: number): number {
  return Math.max(256, Math.ceil(limit / 10));
}

/** How many listeners may be open at once under `limit` (unbounded when the limit is unknown). */
export function listenerCapacity(limit: number | undefined): number {
  return limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - descriptorReserve(limit));
}
