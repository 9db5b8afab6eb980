import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './project-root.js';

interface Backends {
  close(): Promise<void>;
  addresses: string[];
}

async function loadStartBackends(): Promise<(dir: string) => Promise<Backends>> {
  const mod = (await import(pathToFileURL(join(projectRoot(), 'examples', 'backends.mjs')).href)) as {
    startBackends: (dir: string) => Promise<Backends>;
  };
  return mod.startBackends;
}

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port}`)));
    req.on('error', reject);
    req.end();
  });
}

function udpAsk(host: string, port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer from ${host}:${port}`));
    }, 5000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg.toString());
    });
    socket.send(payload, port, host);
  });
}

// Ports chosen away from the example's so the test can run while the quick start is up.
/** One EndpointSlice manifest: `service`'s one port and a pod per address. */
function sliceYaml(service: string, port: string, addresses: readonly string[]): string {
  return [
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    `metadata: {name: ${service}-1, namespace: default, labels: {kubernetes.io/service-name: ${service}}}`,
    'addressType: IPv4',
    `ports: [${port}]`,
    'endpoints:',
    ...addresses.map((a) => `- addresses: [${a}]`),
    '',
  ].join('\n');
}

const SLICES = [
  sliceYaml('t', '{name: http, protocol: TCP, port: 18080}', ['127.0.21.1', '127.0.21.2']),
  sliceYaml('u', '{name: dns, protocol: UDP, port: 15353}', ['127.0.21.3']),
].join('---\n');

test('startBackends answers HTTP on every TCP endpoint and echoes on every UDP endpoint, then closes', async () => {
  const startBackends = await loadStartBackends();
  const dir = await mkdtemp(join(tmpdir(), 'kproxy-backends-'));
  await writeFile(join(dir, 'slices.yaml'), SLICES);
  await writeFile(join(dir, 'duplicate.yaml'), SLICES.replace('name: t-1', 'name: t-2').split('---')[0]!); // shared pods
  const backends = await startBackends(dir);
  try {
    assert.deepEqual([...backends.addresses].sort(), ['tcp 127.0.21.1:18080', 'tcp 127.0.21.2:18080', 'udp 127.0.21.3:15353']);
    assert.match(await httpGet('127.0.21.2', 18080), /^hello from 127\.0\.21\.2:18080, you are 127\.0\.0\.1:\d+\n$/);
    assert.equal(await udpAsk('127.0.21.3', 15353, 'ping'), '127.0.21.3:15353 got: ping');
  } finally {
    await backends.close();
    await rm(dir, { recursive: true, force: true });
  }
  await assert.rejects(httpGet('127.0.21.2', 18080), /ECONNREFUSED/);
});
