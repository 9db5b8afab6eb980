// Binding the health and metrics servers to "ip:port" addresses as --healthz-bind-address and
// --metrics-bind-address give them ("0.0.0.0:10256", "[::1]:10249"; port 0 picks a free port). As in Go,
// an empty host (":10249") means every address.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';

export interface BindAddress {
  /** "" for every address. */
  host: string;
  port: number;
}

/** Parse "ip:port" or "[ipv6]:port"; `option` names the flag in errors. */
export function parseBindAddress(option: string, value: string): BindAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  const port = m ? Number(m[3]) : NaN;
  if (!m || (host !== '' && isIP(host) === 0) || (m[1] !== undefined && isIP(host) !== 6) || port > 65535) {
    throw new Error(`${option}: got ${JSON.stringify(value)}, allowed: IP:port (e.g. 0.0.0.0:10256 or [::]:10256), port 0-65535`);
  }
  return { host, port };
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Start an HTTP server on `addr`; resolves once listening, rejects if the address cannot be bound. */
export async function listenHttp(option: string, addr: string, handler: Handler): Promise<RunningServer> {
  const { host, port } = parseBindAddress(option, addr);
  const server = createServer(handler);
  // Probes and scrapers reconnect freshly; idle keep-alive sockets would only delay shutdown.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`${option}: cannot listen on ${addr}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host === '' ? undefined : host, () => {
      server.off('error', onError);
      const bound = server.address();
      resolve({ port: typeof bound === 'object' && bound ? bound.port : port, close: () => closeServer(server) });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/** The request path without its query string. */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
