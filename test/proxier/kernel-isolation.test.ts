// Root only: one bad Service against the real tools in a throw-away network namespace. A port name the
// API refuses (a"b) used to reach iptables-restore as a broken comment, which refused the whole input, so
// no Service changed and /healthz went 503. Now the object is refused at the door; and a program the tool
// still refuses (a broken line injected for one port) costs only that port, in iptables and nftables mode.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceModel } from '../../src/model/service-model.js';
import type { KubeObject } from '../../src/model/objects.js';
import type { DataPlane } from '../../src/dataplane/types.js';
import { Proxier } from '../../src/proxier/proxier.js';
import { reportRejectedInput } from '../../src/proxier/rejected-input.js';
import { createIptablesDataPlane, type IptablesProgram } from '../../src/dataplane/iptables/index.js';
import { createNftablesDataPlane, NftCommand, type NftProgram } from '../../src/dataplane/nftables/index.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { ProxyHealth } from '../../src/health/proxy-health.js';
import type { Logger } from '../../src/observability/logger.js';
import { canUseNetns, inNs, makeNetns, toolExists } from '../fixtures/netns.js';
import { service as bareService, slice as bareSlice } from '../fixtures/bare-objects.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' };
const BROKEN = 'broken';

function service(name: string, ip: string, portName = 'http'): KubeObject {
  return bareService(name, { clusterIP: ip, ports: [{ name: portName, port: 80, protocol: 'TCP' }] }, { namespace: 'default' });
}

function slice(name: string, ip: string, portName = 'http'): KubeObject {
  const ports = [{ name: portName, port: 8080, protocol: 'TCP' as const }];
  return bareSlice(`${name}-1`, name, [{ addresses: [ip], conditions: { ready: true } }], { namespace: 'default', ports });
}

/** Ten good Services web0..web9 at 10.96.0.10.. with one endpoint each. */
const GOOD = Array.from({ length: 10 }, (_, i) => [service(`web${i}`, `10.96.0.${10 + i}`), slice(`web${i}`, `10.244.0.${10 + i}`)]).flat();

function run<P>(dataPlane: DataPlane<P>) {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '' });
  const errors: string[] = [];
  const logger: Logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (m, kv) => errors.push(`${m}${kv?.['err'] ? ` (${String(kv['err'])})` : ''}`),
    v: () => ({ info: () => undefined }),
  };
  const health = new ProxyHealth({ healthTimeoutMs: 60_000 });
  const metrics = createProxyMetrics();
  // As the CLI wires it: the model's rejections are logged from the first object on.
  reportRejectedInput(model, metrics, logger);
  const proxier = new Proxier({ model, dataPlane, sources: ['file'], syncPeriodMs: 30_000, minSyncPeriodMs: 0, logger, metrics, health });
  model.onChange(() => health.queued());
  model.synced('file');
  return { model, proxier, errors, health };
}

/** The iptables mode, with a line iptables-restore refuses added whenever a port named "broken" is rendered. */
function iptablesPlane(ns: string, inject: boolean): DataPlane<IptablesProgram> {
  const real = createIptablesDataPlane({ netns: ns, backend: 'nft', families: ['IPv4'], detectLocal, conntrackTCPLiberal: true });
  const render: DataPlane<IptablesProgram>['renderer']['render'] = (input) => {
    const program = real.renderer.render(input);
    const broken = [...input.snapshot.families.IPv4.servicePorts.values()].some((p) => p.portName === BROKEN);
    if (!inject || !broken) return program;
    const fam = program.families[0]!;
    return { ...program, families: [{ ...fam, nat: { ...fam.nat, rules: [...fam.nat.rules, '-A KUBE-SERVICES -j KUBE-NO-SUCH-CHAIN'] } }] };
  };
  return { mode: 'iptables', renderer: { render, format: (p) => real.renderer.format(p) }, executor: real.executor };
}

function nftPlane(ns: string): DataPlane<NftProgram> {
  const real = createNftablesDataPlane({ runner: new NftCommand({ netns: ns }), families: ['IPv4'], conntrackCleanup: false, detectLocal });
  const render: DataPlane<NftProgram>['renderer']['render'] = (input) => {
    const program = real.renderer.render(input);
    const fam = program.families[0]!;
    const key = [...fam.services.keys()].find((k) => k.endsWith(`:${BROKEN}`));
    if (key === undefined) return program;
    const contribution = fam.services.get(key)!;
    const bad = { ...contribution, elements: [...contribution.elements, { set: 'cluster-ips', key: 'not-an-address' }] };
    return { ...program, families: [{ ...fam, services: new Map([...fam.services, [key, bad]]) }] };
  };
  return { mode: 'nftables', renderer: { render, format: (p) => real.renderer.format(p) }, executor: real.executor };
}

const iptSkip = canUseNetns() ?? (toolExists('iptables-nft-restore') ? undefined : 'iptables-nft not installed');
const nftSkip = canUseNetns() ?? (toolExists('nft') ? undefined : 'nft not installed');

test('iptables: a Service port named a"b is refused by name; every other Service is applied and health stays good', { skip: iptSkip }, async (t: TestContext) => {
  const ns = await makeNetns(t, 'iq');
  const { model, proxier, errors, health } = run(iptablesPlane(ns, false));
  model.replace('manifests/all.yaml', [...GOOD, service('q', '10.96.0.9', 'a"b'), slice('q', '10.244.0.9', 'ab')]);
  await proxier.sync();
  const nat = inNs(ns, ['iptables-nft-save', '-t', 'nat']);
  for (let i = 0; i < 10; i++) assert.ok(nat.includes(`-d 10.96.0.${10 + i}/32`), `web${i} applied`);
  assert.ok(!nat.includes('10.96.0.9/32'), 'q is not');
  assert.ok(errors.some((e) => e.includes('Service default/q: spec.ports[0].name: got "a\\"b"')), errors.join('\n'));
  assert.equal(health.health().healthy, true);
  assert.equal(proxier.completedSyncs, 1);
});

for (const [mode, skip, plane, listed] of [
  ['iptables', iptSkip, (ns: string) => iptablesPlane(ns, true), (ns: string) => inNs(ns, ['iptables-nft-save', '-t', 'nat'])],
  ['nftables', nftSkip, (ns: string) => nftPlane(ns), (ns: string) => inNs(ns, ['nft', 'list', 'table', 'ip', 'kproxy'])],
] as const) {
  test(`${mode}: a port whose rules the tool refuses is left out and named; the rest is applied, then its fix`, { skip }, async (t: TestContext) => {
    const ns = await makeNetns(t, mode === 'iptables' ? 'ib' : 'nb');
    const { model, proxier, errors, health } = run<IptablesProgram | NftProgram>(plane(ns) as DataPlane<IptablesProgram | NftProgram>);
    const has = (text: string, ip: string): boolean => new RegExp(`\\b${ip.replaceAll('.', '\\.')}\\b`).test(text);
    model.replace('manifests/all.yaml', GOOD.slice(0, 10));
    await proxier.sync();
    // Six Services are added at once, one of them in a version the tool refuses.
    model.replace('manifests/all.yaml', [...GOOD, service('q', '10.96.0.9', BROKEN), slice('q', '10.244.0.9', BROKEN)]);
    await proxier.sync();
    let rules = listed(ns);
    for (let i = 0; i < 10; i++) assert.ok(has(rules, `10.96.0.${10 + i}`), `web${i} applied`);
    assert.ok(!has(rules, '10.96.0.9'), 'q left out');
    assert.ok(errors.some((e) => e.startsWith(`Service default/q port "${BROKEN}" (IPv4) was refused by the proxy tool`)), errors.join('\n'));
    assert.equal(health.health().healthy, true);
    assert.equal(proxier.completedSyncs, 2);

    model.upsert('manifests/all.yaml', service('q', '10.96.0.9', 'fixed'));
    model.upsert('manifests/all.yaml', slice('q', '10.244.0.9', 'fixed'));
    await proxier.sync();
    rules = listed(ns);
    assert.ok(has(rules, '10.96.0.9'), 'q applied once fixed');
  });
}
