// End to end: the kproxy program (userspace mode) against the test API server. Traffic to a Service
// flows; with the API server gone it keeps flowing; once the API server is back, a changed endpoint
// takes over. Every address is a random 127.x loopback address, so nothing outside this host is touched.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { node, service, slice } from '../api-server/fixtures.js';
import { TestApiServer } from '../api-server/server.js';
import { waitFor } from './harness.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const PORT = 8080;

function backend(ip: string, name: string): Promise<Server> {
  // A proxy that closes its side early makes the kernel reset this socket; that is not the test's concern.
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.end(`${name}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, ip, () => resolve(server));
  });
}

/** What the Service answers, or the error code. */
function ask(ip: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const s = connect({ host: ip, port: PORT, timeout: 1000 });
    s.on('data', (d) => (text += d.toString()));
    s.on('end', () => resolve(text.trim()));
    s.on('timeout', () => (s.destroy(), resolve('timeout')));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('kproxy --kubeconfig in userspace mode: traffic flows, survives the API going away, and converges when it is back', async (t) => {
  const net = `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}`;
  const clusterIP = `${net}.1`;
  const b1 = await backend(`${net}.11`, 'backend-1');
  const b2 = await backend(`${net}.12`, 'backend-2');
  t.after(() => (b1.close(), b2.close()));

  const api = new TestApiServer({ requireToken: 'e2e-token' });
  api.store.put('nodes', node('node-e2e'));
  api.store.put('services', service('web', clusterIP, PORT));
  api.store.put('endpointslices', slice('web', [`${net}.11`], PORT, { nodeName: 'node-e2e' }));
  await api.start();
  t.after(() => api.stop());

  const dir = mkdtempSync(join(tmpdir(), 'kpt-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'e2e',
    contexts: [{ name: 'e2e', context: { cluster: 'test', user: 'kproxy' } }],
    clusters: [{ name: 'test', cluster: { server: api.url } }],
    users: [{ name: 'kproxy', user: { token: 'e2e-token' } }],
  }));

  const kproxy = spawn(process.execPath, [MAIN, '--kubeconfig', kubeconfig, '--proxy-mode=userspace', '--userspace-portals=none',
    '--hostname-override=node-e2e', '--healthz-port=0', '--metrics-port=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  kproxy.stderr.on('data', (d) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => kproxy.on('exit', (code) => resolve(code)));
  t.after(async () => {
    if (kproxy.exitCode === null) kproxy.kill('SIGTERM');
    await exited;
  });

  const expectAnswer = async (expected: string, what: string) => {
    let last = '';
    const deadline = Date.now() + 15_000;
    while ((last = await ask(clusterIP)) !== expected) {
      if (Date.now() > deadline || kproxy.exitCode !== null) assert.fail(`${what}: last answer ${last}\n--- kproxy log ---\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  await expectAnswer('backend-1', 'traffic flows through the Service');
  assert.match(log, /Using userspace Proxier/);

  await api.stop();
  await waitFor(() => /Failed to watch/.test(log), 'kproxy notices the API server is gone', 15_000);
  for (let i = 0; i < 5; i++) assert.equal(await ask(clusterIP), 'backend-1', 'traffic keeps flowing while the API is down');

  // While the API is away the endpoint moves, and history is compacted, so kproxy must relist.
  api.store.put('endpointslices', slice('web', [`${net}.12`], PORT, { nodeName: 'node-e2e' }));
  api.store.compact();
  await api.start();
  await expectAnswer('backend-2', 'the new endpoint takes over once the API is back');
  assert.match(log, /Connection to the API server restored/);

  kproxy.kill('SIGTERM');
  assert.equal(await exited, 0);
});
