import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ServiceHealthServer } from '../../src/health/service-health-server.js';
import { ep, localEp, servicePort, snapshot } from '../iptables/fixtures.js';

function get(port: number): Promise<{ status: number; weight: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, weight: res.headers['x-load-balancing-endpoint-weight'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PORT = 39000 + (process.pid % 500);
const lb = (endpoints: ReturnType<typeof ep>[]) =>
  servicePort({ namespace: 'web', name: 'front', clusterIP: '10.96.0.20', type: 'LoadBalancer', nodePort: 31000, externalPolicyLocal: true, healthCheckNodePort: PORT, endpoints });

test('200 with local endpoints and a healthy proxy, 503 otherwise, upstream JSON body', async (t) => {
  let healthy = true;
  const server = new ServiceHealthServer({ bindAddresses: ['127.0.0.1'], isProxyHealthy: () => healthy });
  t.after(() => server.close());
  // The same IP on two ports counts once; remote and unready endpoints do not count.
  const second = servicePort({ ...lb([]), portName: 'https', port: 443, endpoints: [localEp('10.1.0.1', 443)] });
  await server.sync(snapshot([lb([localEp('10.1.0.1', 80), localEp('10.1.0.2', 80), ep('10.2.0.1', 80), { ...localEp('10.1.0.3', 80), ready: false }]), second]));
  let r = await get(PORT);
  assert.equal(r.status, 200);
  assert.equal(r.weight, '2');
  assert.equal(r.body, '{\n\t"service": {\n\t\t"namespace": "web",\n\t\t"name": "front"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
  healthy = false;
  r = await get(PORT);
  assert.equal(r.status, 503);
  assert.match(r.body, /"serviceProxyHealthy": false/);
  healthy = true;
  await server.sync(snapshot([lb([ep('10.2.0.1', 80)])]));
  r = await get(PORT);
  assert.equal(r.status, 503);
  assert.equal(r.weight, '0');
});

test('a Service that no longer needs a health check has its server closed', async (t) => {
  const server = new ServiceHealthServer({ bindAddresses: ['127.0.0.1'], isProxyHealthy: () => true });
  t.after(() => server.close());
  await server.sync(snapshot([lb([localEp('10.1.0.1', 80)])]));
  assert.deepEqual(server.served('web/front'), { port: PORT, localEndpoints: 1 });
  await server.sync(snapshot([]));
  assert.equal(server.served('web/front'), undefined);
  await assert.rejects(get(PORT), /ECONNREFUSED/);
});
