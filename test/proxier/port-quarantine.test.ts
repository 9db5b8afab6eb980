// A service port a tool refuses must not stop every other Service: the Proxier finds it with trial
// applies, holds its version back (the last applied one stays, or it is not served), names it, applies the
// rest and stays healthy. A data plane that refuses any program holding port 666 stands in for the tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Proxier } from '../../src/proxier/proxier.js';
import { ServiceModel } from '../../src/model/service-model.js';
import type { DataPlane, SyncInput } from '../../src/dataplane/types.js';
import type { KubeObject } from '../../src/model/objects.js';
import type { Snapshot } from '../../src/model/types.js';
import { MAX_TRIALS } from '../../src/proxier/port-quarantine.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { ProxyHealth } from '../../src/health/proxy-health.js';
import type { Logger } from '../../src/observability/logger.js';
import { service as bareService } from '../fixtures/bare-objects.js';

const REFUSED_PORT = 666;

function service(name: string, ip: string, port = 80): KubeObject {
  return bareService(name, { clusterIP: ip, ports: [{ name: 'http', port, protocol: 'TCP' }] }, { namespace: 'default' });
}

function ports(s: Snapshot): Record<string, number> {
  return Object.fromEntries([...s.families.IPv4.servicePorts.values()].map((p) => [p.name, p.port]));
}

function setup() {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '' });
  const inForce: Snapshot[] = [];
  let attempts = 0;
  let refuseAll = false;
  const dataPlane: DataPlane<SyncInput> = {
    mode: 'iptables',
    renderer: { render: (input) => input, format: () => '' },
    executor: {
      apply: async (input) => {
        attempts++;
        const bad = [...input.snapshot.families.IPv4.servicePorts.values()].find((p) => p.port === REFUSED_PORT);
        if (refuseAll) throw new Error('iptables-restore: line 1 failed');
        if (bad) throw new Error(`iptables-restore: line 42 failed (${bad.name})`);
        inForce.push(input.snapshot);
        return { warnings: [] };
      },
      cleanup: async () => undefined,
      close: async () => undefined,
    },
  };
  const logs: string[] = [];
  const logger: Logger = {
    info: (m) => logs.push(`I ${m}`),
    warn: (m) => logs.push(`W ${m}`),
    error: (m, kv) => logs.push(`E ${m}${kv?.['err'] ? ` err=${String(kv['err'])}` : ''}`),
    v: () => ({ info: () => undefined }),
  };
  let now = 1_000_000;
  const health = new ProxyHealth({ healthTimeoutMs: 60_000, now: () => now });
  const proxier = new Proxier({ model, dataPlane, sources: ['file'], syncPeriodMs: 30_000, minSyncPeriodMs: 1_000, logger, metrics: createProxyMetrics(), health, now: () => now });
  model.synced('file');
  return {
    model, proxier, inForce, logs, health,
    attempts: () => attempts,
    refuseAll: (v: boolean) => (refuseAll = v),
    later: (ms: number) => (now += ms),
  };
}

test('a new refused port is left out and named; every other Service is applied and health stays good', async () => {
  const { model, proxier, inForce, logs, health, later } = setup();
  const others = Array.from({ length: 20 }, (_, i) => service(`svc${i}`, `10.96.1.${i + 1}`));
  model.replace('f', [...others, service('q', '10.96.0.9', REFUSED_PORT)]);
  health.queued();
  await proxier.sync();
  assert.equal(proxier.completedSyncs, 1);
  const applied = ports(inForce.at(-1)!);
  assert.equal(applied['q'], undefined, 'q is not served');
  assert.equal(Object.keys(applied).length, 20, 'every other Service is');
  assert.ok(
    logs.includes('E Service default/q port "http" (IPv4) was refused by the proxy tool and left out of the rules; it is not served until the Service or its endpoints change err=iptables-restore: line 42 failed (q)'),
    logs.join('\n'),
  );
  later(61_000);
  assert.equal(health.health().healthy, true);
});

test('a refused update keeps the last applied version; later syncs do not retry it until it changes', async () => {
  const { model, proxier, inForce, logs, attempts } = setup();
  model.replace('f', [service('web', '10.96.0.1'), service('q', '10.96.0.9')]);
  await proxier.sync();
  model.replace('f', [service('web', '10.96.0.1', 8080), service('q', '10.96.0.9', REFUSED_PORT)]);
  await proxier.sync();
  assert.deepEqual(ports(inForce.at(-1)!), { q: 80, web: 8080 });
  assert.ok(logs.some((l) => l.startsWith('E Service default/q port "http" (IPv4) was refused') && l.includes('its last applied version stays in force')));

  const before = attempts();
  model.upsert('f', service('web', '10.96.0.1', 8081));
  await proxier.sync();
  assert.equal(attempts() - before, 1, 'one apply: the held version is not tried again');
  assert.deepEqual(ports(inForce.at(-1)!), { q: 80, web: 8081 });
  assert.equal(inForce.at(-1) !== undefined, true);

  model.upsert('f', service('q', '10.96.0.9', 81));
  await proxier.sync();
  assert.deepEqual(ports(inForce.at(-1)!), { q: 81, web: 8081 }, 'a changed version is applied');
});

test('a failure that no port explains still fails the sync, and trials are bounded', async () => {
  const { model, proxier, attempts, refuseAll, logs } = setup();
  model.replace('f', Array.from({ length: 300 }, (_, i) => service(`svc${i}`, `10.96.${i >> 8}.${(i & 255) + 1}`, REFUSED_PORT)));
  await proxier.sync();
  assert.ok(attempts() <= MAX_TRIALS + 2, `${attempts()} applies`);
  // Ports not tried within the budget are left out of that sync only; later syncs go on from there.
  let syncs = 1;
  while (logs.some((l) => l.includes('until the next sync tries it')) && syncs < 40) {
    logs.length = 0;
    await proxier.sync();
    syncs++;
  }
  assert.ok(syncs > 1 && syncs < 40, `every refused port is found in the end (${syncs} syncs)`);
  const before0 = attempts();
  await proxier.sync();
  assert.equal(attempts() - before0, 1, 'then a sync is one apply again');
  refuseAll(true);
  model.upsert('f', service('web', '10.96.9.1'));
  const before = attempts();
  await assert.rejects(proxier.sync(), /line 1 failed/);
  assert.equal(attempts() - before, 2, 'the change, then the change without the new ports');
});
