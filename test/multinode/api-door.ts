// The test API server, reachable from inside the cluster lab: the server itself listens on the test
// process's 127.0.0.1 (so tests change its store directly), a Unix socket in a private directory relays to
// it, and a relay process in the lab's api namespace listens on API_IP and relays to that socket.

import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestApiServer } from '../api-server/server.js';
import { API_IP, type ClusterLab } from './topology.js';

export const API_PORT = 6443;

export interface ApiDoor {
  /** The API server's URL as the lab's nodes reach it. */
  readonly url: string;
  close(): Promise<void>;
}

export async function openApiDoor(lab: ClusterLab, api: TestApiServer): Promise<ApiDoor> {
  const dir = mkdtempSync(join(tmpdir(), 'kpt-multinode-api-'));
  const socketPath = join(dir, 'api.sock');
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(api.port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    }
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    const relay = fileURLToPath(new URL('./api-relay.js', import.meta.url));
    await lab.spawnReady('api', process.execPath, [relay, `${API_IP}:${API_PORT}`, socketPath]);
  } catch (err) {
    await close();
    throw err;
  }
  return { url: `http://${API_IP}:${API_PORT}`, close };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
