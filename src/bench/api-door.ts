// A door from inside a network namespace to an API server listening on this process's 127.0.0.1 (the
// test API server, or a real kube-apiserver): a Unix socket in a private directory relays to the server's
// port, and a relay process in the namespace listens on an address there and relays to that socket. A Unix
// socket is a file, not an address of some network namespace, so it is the one way between the two.
// Bytes pass untouched, so TLS to a real kube-apiserver works through it (its certificate names 127.0.0.1).

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ApiDoor {
  /** Cut every connection through the door and refuse new ones until release(): the API is unreachable. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** Starts a process in the namespace and resolves once it printed 'ready' (NamespaceSet.spawnReady). */
export type SpawnInNamespace = (cmd: string, args: readonly string[]) => Promise<ChildProcess>;

/** Open a door: connections to `listen` (IP:PORT) inside the namespace reach 127.0.0.1:`targetPort` here. */
export async function openApiDoor(spawnInNamespace: SpawnInNamespace, targetPort: number, listen: string): Promise<ApiDoor> {
  const dir = mkdtempSync(join(tmpdir(), 'kpt-api-door-'));
  const socketPath = join(dir, 'api.sock');
  const sockets = new Set<Socket>();
  let held = false;
  const server = createServer((inbound) => {
    if (held) return void inbound.destroy();
    const outbound = connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    }
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  let relay: ChildProcess | undefined;
  const hold = () => {
    held = true;
    for (const s of sockets) s.destroy();
  };
  const close = async (): Promise<void> => {
    hold();
    relay?.kill();
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    relay = await spawnInNamespace(process.execPath, [fileURLToPath(new URL('./ns-relay.js', import.meta.url)), listen, `unix:${socketPath}`]);
  } catch (err) {
    await close();
    throw err;
  }
  return { hold, release: () => void (held = false), close };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
