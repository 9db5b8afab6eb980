// Snapshots (the shared fixtures, node-a at 192.0.2.10), small socket helpers and the proxy set-up shared by the userspace tests.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { TestContext } from 'node:test';
import type { SyncInput } from '../../src/dataplane/types.js';
import type { ServicePort, Snapshot } from '../../src/model/types.js';
import { snapshot as sharedSnapshot } from '../fixtures/snapshots.js';
import { UserspaceExecutor, type UserspaceExecutorOptions } from '../../src/dataplane/userspace/executor.js';
import { UserspaceRenderer } from '../../src/dataplane/userspace/renderer.js';
import type { Logger } from '../../src/observability/logger.js';
import { endpoint, servicePort } from '../fixtures/service-ports.js';

export { endpoint, servicePort };

/** A ClusterIP port without endpoints: its listeners reject. */
export const empty = servicePort({ name: 'empty', clusterIP: '10.96.0.20', port: 443 });
/** A NodePort under externalTrafficPolicy Local whose only endpoint is on another node: external listeners drop. */
export const localOnly = servicePort({
  name: 'local-only',
  type: 'NodePort',
  clusterIP: '10.96.0.30',
  nodePort: 30090,
  externalPolicyLocal: true,
  endpoints: [endpoint('10.244.2.9', 80, { isLocal: false, nodeName: 'node-b' })],
});

export function snapshot(ports: readonly ServicePort[], generation = 1): Snapshot {
  return sharedSnapshot(ports, { generation, node: { addresses: ['192.0.2.10'] } });
}

export function syncInput(s: Snapshot, full = true): SyncInput {
  return { snapshot: s, previous: undefined, full };
}

export interface RecordingLogger extends Logger {
  readonly warnings: string[];
}

export function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => undefined,
    warn: (msg) => warnings.push(msg),
    error: () => undefined,
    v: () => ({ enabled: false, info: () => undefined }),
  };
}

/** What a test opens and must close afterwards: a backend of either protocol. */
export interface Closable {
  close(): void | Promise<void>;
}

export interface ProxyRig {
  readonly ex: UserspaceExecutor;
  /** A fresh loopback address for the service under test. */
  readonly vip: string;
  /** Renders and applies one full sync of `ports`; resolves with the sync's warnings. */
  apply(ports: ServicePort[]): Promise<readonly string[]>;
}

const renderer = new UserspaceRenderer({ nodePortAddresses: [] });

/** An executor that installs no portals; after the test it is closed, then the backends it served. */
export function proxyRig(t: TestContext, backends: readonly Closable[], over: Partial<UserspaceExecutorOptions> = {}): ProxyRig {
  const ex = new UserspaceExecutor({ portals: 'none', logger: recordingLogger(), ...over });
  t.after(async () => {
    await ex.close();
    await Promise.all(backends.map((b) => b.close()));
  });
  const apply = async (ports: ServicePort[]): Promise<readonly string[]> => {
    const input = syncInput(snapshot(ports));
    return (await ex.apply(renderer.render(input), input)).warnings;
  };
  return { ex, vip: loopbackAddress(), apply };
}

/** A distinct loopback address per call (random block per test process), so tests never fight over a port. */
const block = 100 + Math.floor(Math.random() * 100);
let counter = Math.floor(Math.random() * 10_000);
export function loopbackAddress(): string {
  counter++;
  return `127.${block}.${Math.floor(counter / 250) % 256}.${1 + (counter % 250)}`;
}

export interface TcpBackend {
  readonly name: string;
  readonly port: number;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

/** Answers every chunk with "name:chunk"; closes its side when the client does. */
export function tcpEchoBackend(name: string, host = '127.0.0.1'): Promise<TcpBackend> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (d) => s.write(`${name}:${d}`));
    s.on('end', () => s.end());
  });
  return listening(server, host).then((port) => ({
    name,
    port,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  }));
}

export function listening(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as { port: number }).port));
  });
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  const port = await listening(s, '127.0.0.1');
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Exchange {
  readonly socket: Socket;
  /** Send `text` and resolve with the next chunk received. */
  say(text: string): Promise<string>;
}

export function connectClient(host: string, port: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => {
      socket.removeListener('error', reject);
      resolve({
        socket,
        say: (text) =>
          new Promise((res, rej) => {
            socket.once('data', (d) => res(d.toString()));
            socket.once('close', () => rej(new Error('closed before an answer')));
            socket.write(text);
          }),
      });
    });
    socket.once('error', reject);
  });
}

/** One request on a fresh connection; resolves with the backend name that answered. */
export async function askWho(host: string, port: number): Promise<string> {
  const c = await connectClient(host, port);
  const answer = await c.say('who');
  c.socket.destroy();
  return answer.split(':')[0]!;
}

/** How a connection ends: 'closed' (FIN/RST after connecting), or the connect error code. */
export function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.on('close', () => resolve('closed'));
    socket.on('data', () => resolve('data'));
  });
}

export interface UdpBackend {
  readonly name: string;
  readonly port: number;
  /** "ip:port" of every client (proxy upstream socket) seen. */
  readonly peers: string[];
  close(): void;
}

export function udpEchoBackend(name: string): Promise<UdpBackend> {
  const sock = createSocket('udp4');
  const peers: string[] = [];
  sock.on('message', (m, r) => {
    peers.push(`${r.address}:${r.port}`);
    sock.send(`${name}:${m}`, r.port, r.address);
  });
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve({ name, port: sock.address().port, peers, close: () => sock.close() })));
}

/** A connected UDP client; ask() resolves with the answer, or 'timeout' / the error code (ICMP). */
export function udpClient(host: string, port: number): Promise<{ socket: UdpSocket; ask(text: string, waitMs?: number): Promise<string> }> {
  const socket = createSocket('udp4');
  return new Promise((resolve) =>
    socket.connect(port, host, () =>
      resolve({
        socket,
        ask: (text, waitMs = 2000) =>
          new Promise((res) => {
            const done = (v: string): void => {
              clearTimeout(timer);
              socket.removeListener('message', onMsg);
              socket.removeListener('error', onErr);
              res(v);
            };
            const onMsg = (m: Buffer): void => done(m.toString());
            const onErr = (e: NodeJS.ErrnoException): void => done(e.code ?? e.message);
            const timer = setTimeout(() => done('timeout'), waitMs);
            socket.on('message', onMsg);
            socket.on('error', onErr);
            socket.send(text);
          }),
      }),
    ),
  );
}

export async function until(cond: () => boolean, what: string, limitMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
