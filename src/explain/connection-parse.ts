// Turns `kproxy explain`'s --to/--source/--via values into a connection, or a clear error naming the value
// and what is wrong with it: an operator typing a Service address by hand should learn at once that "80"
// is not an IP or that 70000 is no port, before any manifest is read.

import { isIP } from 'node:net';
import { canonicalIP } from '../model/service-filter.js';
import type { TraceProtocol } from './trace.js';

export class ConnectionError extends Error {
  readonly code = 'KPROXY_EXPLAIN_INPUT';
}

export interface Destination {
  readonly ip: string;
  readonly port: number;
  readonly protocol: TraceProtocol;
}

const PROTOCOLS: readonly TraceProtocol[] = ['TCP', 'UDP', 'SCTP'];

/** IP:PORT[/TCP|UDP|SCTP], with IPv6 as [IP]:PORT; the protocol defaults to TCP, in any letter case. */
export function parseDestination(raw: string): Destination {
  const slash = raw.lastIndexOf('/');
  const hostPort = slash < 0 ? raw : raw.slice(0, slash);
  const protocolText = slash < 0 ? 'TCP' : raw.slice(slash + 1).toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocolText)) {
    throw new ConnectionError(`--to ${JSON.stringify(raw)}: unknown protocol ${JSON.stringify(raw.slice(slash + 1))}; kproxy knows ${PROTOCOLS.join(', ')}`);
  }
  const match = /^\[([^\]]*)\]:([^:]*)$/.exec(hostPort) ?? /^([^:[\]]*):([^:]*)$/.exec(hostPort);
  if (!match) {
    const hint = isIP(hostPort) === 4 ? 'the port is missing' : isIP(hostPort) === 6 ? 'the port is missing (with IPv6, write [IP]:PORT)' : 'write IP:PORT, or [IPv6]:PORT';
    throw new ConnectionError(`--to ${JSON.stringify(raw)}: ${hint} (e.g. 10.96.0.10:53/UDP or [fd00::10]:80)`);
  }
  if (isIP(match[1]!) === 0) throw new ConnectionError(`--to ${JSON.stringify(raw)}: ${JSON.stringify(match[1])} is not an IP address (explain takes the address a client connects to, not a name)`);
  const ip = canonicalIP(match[1]!);
  const portText = match[2]!;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new ConnectionError(`--to ${JSON.stringify(raw)}: port ${JSON.stringify(portText)} is out of range; a port is 1-65535`);
  }
  return { ip, port, protocol: protocolText as TraceProtocol };
}

/** An IP address (v4 or v6), canonical; `flag` names where it came from in the error. */
export function parseIP(flag: string, raw: string): string {
  if (isIP(raw) === 0) throw new ConnectionError(`${flag} ${JSON.stringify(raw)}: not an IP address`);
  return canonicalIP(raw);
}

export function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return isIP(ip) === 6 ? 'IPv6' : 'IPv4';
}
