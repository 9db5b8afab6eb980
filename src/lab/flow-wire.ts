// What crosses the wire between the flow client, the backend server and the harness: the JSON shapes each
// prints, and IP:PORT strings ("[v6]:port" for IPv6, as kube-proxy's logs and EndpointSlices spell them).

import { isIP } from 'node:net';

export type Outcome = 'answered' | 'rejected' | 'dropped';

/** What one flow came to, as flow-client prints it. */
export interface FlowResult {
  outcome: Outcome;
  /** The endpoint that answered (its podIP:port, as the backend reports it). */
  endpoint?: string;
  /** The peer address the backend saw. */
  source?: string;
  /** The flow's own local address, as the client's socket saw it (to tell masquerading from pass-through). */
  local?: string;
  /** For 'rejected': the error code (ECONNREFUSED, EHOSTUNREACH, ...) or EOF (closed without an answer). */
  detail?: string;
}

/** The one line the backend answers with. */
export interface BackendAnswer {
  endpoint: string;
  source: string;
}

export interface HostPort {
  ip: string;
  port: number;
}

export function joinHostPort(ip: string, port: number): string {
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Parse "IP:PORT" or "[IPv6]:PORT"; `what` names the value in the error. */
export function splitHostPort(text: string, what = 'address'): HostPort {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  const plain = /^([^:]+):(\d+)$/.exec(text);
  const m = bracketed ?? plain;
  const ip = m?.[1] ?? '';
  const port = Number(m?.[2]);
  if (!m || isIP(ip) === 0 || (bracketed && isIP(ip) !== 6) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${what} must be IP:PORT or [IPv6]:PORT with a port 1-65535: received ${JSON.stringify(text)}`);
  }
  return { ip, port };
}

/** The IP part of an IP:PORT string (undefined when it does not parse). */
export function hostOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return splitHostPort(text).ip;
  } catch {
    return undefined;
  }
}
