// Root only: the executor against the real kernel, inside throw-away network namespaces, on both back ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesExecutor, RestoreError } from '../../src/dataplane/iptables/executor.js';
import { IptablesRenderer } from '../../src/dataplane/iptables/renderer.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import type { IptablesProgram } from '../../src/dataplane/iptables/program.js';
import { localEp, overallServices, servicePort, snapshot } from './fixtures.js';
import { canUseNetns, inNs, makeNetns, toolExists } from '../fixtures/netns.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.0.0.0/8', bridgeInterface: '', interfaceNamePrefix: '' };

for (const backend of ['nft', 'legacy'] as const) {
  const save = (ns: string, table = 'nat'): string => inNs(ns, [`iptables-${backend}-save`, '-t', table]);
  const skip = canUseNetns() ?? (toolExists(`iptables-${backend}-restore`) ? undefined : `iptables-${backend} not installed`);

  test(`${backend}: apply, partial sync, rejected restore keeps rules, canary, cleanup`, { skip }, async (t) => {
    const ns = await makeNetns(t, 'k');
    const renderer = new IptablesRenderer({ detectLocal });
    const metrics = createProxyMetrics({ mode: 'iptables' });
    const executor = new IptablesExecutor({ netns: ns, backend, metrics });
    const ports = overallServices();
    const first = snapshot(ports);
    const full = { snapshot: first, previous: undefined, full: true };
    await executor.apply(renderer.render(full), full);
    let nat = save(ns);
    assert.match(nat, /-A KUBE-SVC-XPGD46QRK7WJZT7O .*-j KUBE-SEP-SXIVWICOYRO3J4NJ/);
    assert.match(nat, /-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
    assert.match(save(ns, 'filter'), /-A KUBE-SERVICES -d 172\.30\.0\.46\/32 -p tcp .*-j REJECT/);
    assert.equal(await executor.needsFullSync(), false);
    assert.match(await metrics.render(), /\nkubeproxy_sync_proxy_rules_iptables_total\{ip_family="IPv4",table="nat"\} [1-9]\d*\n/);

    // Partial: ns4/svc4 loses 10.180.0.4; its endpoint chain goes, everything else stays.
    const svc4 = servicePort({ namespace: 'ns4', name: 'svc4', clusterIP: '172.30.0.44', type: 'NodePort', externalIPs: ['192.168.99.33'], endpoints: [localEp('10.180.0.5', 80)] });
    const second = snapshot(ports.map((p) => (p.key === svc4.key ? svc4 : p)), { changed: [svc4.key], generation: 2 });
    const partial = { snapshot: second, previous: first, full: false };
    await executor.apply(renderer.render(partial), partial);
    nat = save(ns);
    assert.ok(!nat.includes('KUBE-SEP-UKSFD7AGPMPPLUHC'), 'stale endpoint chain deleted');
    assert.ok(nat.includes(':KUBE-SEP-SXIVWICOYRO3J4NJ'), 'unchanged chains kept');

    // A rule the kernel rejects: the whole nat restore fails and the previous rules stay.
    const good = renderer.render(partial);
    const fam = good.families[0]!;
    const bad: IptablesProgram = { ...good, families: [{ ...fam, nat: { ...fam.nat, rules: [...fam.nat.rules, '-A KUBE-SERVICES -j KUBE-NO-SUCH-CHAIN'] } }] };
    await assert.rejects(executor.apply(bad, partial), (e) => e instanceof RestoreError && e.table === 'nat');
    const rulesOnly = (text: string): string => text.replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');
    assert.equal(rulesOnly(save(ns)), rulesOnly(nat), 'nat unchanged');
    const counted = await metrics.render();
    assert.match(counted, /\nkubeproxy_sync_proxy_rules_iptables_restore_failures_total\{ip_family="IPv4"\} 1\n/);
    assert.match(counted, /\nkubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total\{ip_family="IPv4"\} 1\n/);

    inNs(ns, [`iptables-${backend}`, '-t', 'mangle', '-X', 'KUBE-PROXY-CANARY']);
    assert.equal(await executor.needsFullSync(), true);

    await executor.cleanup();
    const all = inNs(ns, ['sh', '-c', 'iptables-nft-save; iptables-legacy-save 2>/dev/null || true']);
    assert.deepEqual(all.split('\n').filter((l) => l.includes('KUBE-')), []);
    await executor.cleanup(); // nothing installed: still fine
  });
}

test('cleanup in an empty namespace does nothing and succeeds', { skip: canUseNetns() }, async (t) => {
  const ns = await makeNetns(t, 'e');
  await new IptablesExecutor({ netns: ns, backend: 'nft' }).cleanup();
  assert.equal(inNs(ns, ['iptables-nft-save']).includes('KUBE-'), false);
});
