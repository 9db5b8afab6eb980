import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ApiClient, ApiError } from '../../src/sources/api/api-client.js';
import { inClusterAccess, loadKubeconfig, resolveClusterAccess } from '../../src/sources/api/kubeconfig.js';
import { TestApiServer } from '../api-server/server.js';
import { unlimited } from './harness.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpt-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function kubeconfig(server: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx',
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }, { name: 'other', context: { cluster: 'x', user: 'y' } }],
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
  });
}

test('kubeconfig: current context, inline token, CA and client certificate data', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'kubeconfig');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  writeFileSync(file, kubeconfig('https://10.0.0.1:6443', { token: 'abc', 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }, { 'certificate-authority-data': b64('CA'), 'tls-server-name': 'kubernetes' }));
  const access = await loadKubeconfig(file);
  assert.equal(access.server.href, 'https://10.0.0.1:6443/');
  assert.deepEqual(access.auth, { kind: 'token', token: 'abc' });
  assert.equal(access.tls.ca?.toString(), 'CA');
  assert.equal(access.tls.cert?.toString(), 'CERT');
  assert.equal(access.tls.key?.toString(), 'KEY');
  assert.equal(access.tls.serverName, 'kubernetes');
});

test("kubeconfig: tokenFile (kubeadm's kube-proxy kubeconfig) and CA file resolve relative to the file; --master overrides server", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ca.crt'), 'CA-FILE');
  writeFileSync(join(dir, 'kubeconfig'), ['apiVersion: v1', 'kind: Config', 'current-context: ctx', 'contexts: [{name: ctx, context: {cluster: c, user: u}}]', 'clusters: [{name: c, cluster: {server: "https://api:6443", certificate-authority: ca.crt}}]', 'users: [{name: u, user: {tokenFile: token}}]'].join('\n'));
  const access = await loadKubeconfig(join(dir, 'kubeconfig'), 'https://10.9.9.9:443');
  assert.deepEqual(access.auth, { kind: 'tokenFile', path: join(dir, 'token') });
  assert.equal(access.tls.ca?.toString(), 'CA-FILE');
  assert.equal(access.server.host, '10.9.9.9');
});

test('kubeconfig problems name the file, the entry and what is allowed', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'kc');
  writeFileSync(file, kubeconfig('https://a', { exec: { command: 'aws' } }));
  await assert.rejects(loadKubeconfig(file), /user u: exec credentials are not supported/);
  writeFileSync(file, kubeconfig('ftp://a', {}));
  await assert.rejects(loadKubeconfig(file), /cluster c: server: got scheme "ftp:", allowed: http, https/);
  writeFileSync(file, JSON.stringify({ contexts: [] }));
  await assert.rejects(loadKubeconfig(file), /current-context is not set/);
  writeFileSync(file, kubeconfig('https://a', { 'client-certificate-data': 'eA==' }));
  await assert.rejects(loadKubeconfig(file), /client-certificate and client-key must be given together/);
  await assert.rejects(loadKubeconfig(join(dir, 'missing')), /--kubeconfig .*missing: cannot read/);
});

test('--master alone: that server, no credentials, http unless TLS is configured', async () => {
  const access = await resolveClusterAccess({ master: '127.0.0.1:8080' });
  assert.equal(access.server.href, 'http://127.0.0.1:8080/');
  assert.deepEqual(access.auth, { kind: 'none' });
});

test('in-cluster: KUBERNETES_SERVICE_HOST/PORT and the service account token file and CA', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'token'), 'tok');
  writeFileSync(join(dir, 'ca.crt'), 'CA');
  const access = await inClusterAccess({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
  assert.equal(access.server.href, 'https://[fd00::1]/');
  assert.deepEqual(access.auth, { kind: 'tokenFile', path: join(dir, 'token') });
  assert.equal(access.tls.ca?.toString(), 'CA');
  await assert.rejects(inClusterAccess({}, dir), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
  await assert.rejects(inClusterAccess({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' }, join(dir, 'nope')), /cannot read the service account token/);
});

test('a token file is sent as a bearer token and re-read after a minute (rotation)', async (t) => {
  const dir = tempDir(t);
  const tokenPath = join(dir, 'token');
  writeFileSync(tokenPath, 'one\n');
  const server = new TestApiServer({ requireToken: 'one' });
  await server.start();
  t.after(() => server.stop());
  let now = 0;
  const client = new ApiClient({ access: { server: new URL(server.url), tls: { insecureSkipVerify: false }, auth: { kind: 'tokenFile', path: tokenPath }, source: 't' }, limiter: unlimited, userAgent: 't', now: () => now });
  t.after(() => client.close());
  await client.getJSON('/api/v1/nodes', {});
  writeFileSync(tokenPath, 'two');
  now = 30_000;
  await client.getJSON('/api/v1/nodes', {}); // still the cached token
  now = 61_000;
  const err = await client.getJSON('/api/v1/nodes', {}).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError && err.code === 401, 'the rotated token was read and sent');
});

test('TLS: the kubeconfig CA verifies the server; a client certificate is presented', async (t) => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return t.skip('openssl is not installed');
  }
  const dir = tempDir(t);
  const gen = (name: string, extra: string[]) =>
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), ...extra], { stdio: 'ignore' });
  gen('server', ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  gen('client', ['-subj', '/CN=system:kube-proxy']);
  let clientCN = '';
  const https = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    clientCN = String((req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"kind":"NodeList","metadata":{"resourceVersion":"1"},"items":[]}');
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  t.after(() => https.close());
  const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, kubeconfig(url, { 'client-certificate': 'client.crt', 'client-key': 'client.key' }, { 'certificate-authority': 'server.crt' }));
  const client = new ApiClient({ access: await loadKubeconfig(file), limiter: unlimited, userAgent: 't' });
  t.after(() => client.close());
  assert.deepEqual(await client.getJSON('/api/v1/nodes', {}), { kind: 'NodeList', metadata: { resourceVersion: '1' }, items: [] });
  assert.equal(clientCN, 'system:kube-proxy');
  // Without the CA the server's certificate is not trusted.
  writeFileSync(file, kubeconfig(url, {}, { 'insecure-skip-tls-verify': false }));
  const untrusting = new ApiClient({ access: await loadKubeconfig(file), limiter: unlimited, userAgent: 't' });
  t.after(() => untrusting.close());
  await assert.rejects(untrusting.getJSON('/api/v1/nodes', {}), /self-signed certificate/);
});
