// UDP stale-conntrack cleanup is the front half's job, so every kernel mode gets it: after a successful
// apply the Proxier deletes the entries a removed UDP endpoint left behind, with the conntrack tool run
// the way the mode runs its tools. Shown with the IPVS data plane (which had no cleanup while it lived in
// the iptables and nftables executors) against recorded tools, no kernel needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Proxier } from '../../src/proxier/proxier.js';
import { ServiceModel } from '../../src/model/service-model.js';
import { createIpvsDataPlane } from '../../src/dataplane/ipvs/index.js';
import { createIptablesDataPlane } from '../../src/dataplane/iptables/index.js';
import { createNftablesDataPlane } from '../../src/dataplane/nftables/index.js';
import { createUserspaceDataPlane } from '../../src/dataplane/userspace/index.js';
import type { DataPlane } from '../../src/dataplane/types.js';
import type { RunToolOptions, ToolResult } from '../../src/exec/run-tool.js';
import type { KubeObject } from '../../src/model/objects.js';
import { createProxyMetrics } from '../../src/observability/metrics.js';
import { ProxyHealth } from '../../src/health/proxy-health.js';
import type { Logger } from '../../src/observability/logger.js';

const dns: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'dns', namespace: 'default' },
  spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
};

function dnsSlice(ips: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'dns-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'dns' } },
    addressType: 'IPv4',
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

/** Every tool run, as one command line; conntrack fails while `conntrackError` is set. */
function recorder() {
  const state = {
    commands: [] as string[],
    conntrackError: '',
    runTool: async (cmd: string, args: readonly string[], _opts: RunToolOptions = {}): Promise<ToolResult> => {
      state.commands.push([cmd, ...args].join(' '));
      if (cmd === 'conntrack' && state.conntrackError) throw new Error(state.conntrackError);
      return { stdout: '', stderr: '' };
    },
  };
  return state;
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, v: () => ({ info: () => undefined }) };

function proxierFor(dataPlane: DataPlane, errors: string[] = []) {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '' });
  const logger: Logger = { ...quiet, error: (msg) => errors.push(msg) };
  const health = new ProxyHealth({ healthTimeoutMs: 60_000 });
  const proxier = new Proxier({ model, dataPlane, sources: ['file'], syncPeriodMs: 30_000, minSyncPeriodMs: 1_000, logger, metrics: createProxyMetrics(), health });
  return { model, proxier };
}

test('IPVS mode: a removed UDP endpoint loses its conntrack entries after the sync, as in the iptables and nftables modes', async () => {
  const tools = recorder();
  const dataPlane = createIpvsDataPlane({ runTool: tools.runTool, iptablesBackend: 'legacy', localAddresses: () => [] });
  const { model, proxier } = proxierFor(dataPlane);
  model.replace('f', [dns, dnsSlice(['10.244.1.1', '10.244.1.2'])]);
  model.synced('file');
  await proxier.sync();
  const conntrackRuns = () => tools.commands.splice(0).filter((c) => c.startsWith('conntrack'));
  // The port gained its first endpoints: entries made while it had none (rejected) go.
  assert.deepEqual(conntrackRuns(), ['conntrack -D -p udp --orig-dst 10.96.0.10']);
  model.upsert('f', dnsSlice(['10.244.1.1']));
  await proxier.sync();
  assert.deepEqual(conntrackRuns(), ['conntrack -D -p udp --orig-dst 10.96.0.10 --dst-nat 10.244.1.2']);
});

test('a failing conntrack run is logged as an error and does not fail the sync', async () => {
  const tools = recorder();
  tools.conntrackError = 'conntrack v1.4.7 (conntrack-tools): Operation failed: invalid parameters';
  const errors: string[] = [];
  const { model, proxier } = proxierFor(createIpvsDataPlane({ runTool: tools.runTool, iptablesBackend: 'legacy', localAddresses: () => [] }), errors);
  model.replace('f', [dns, dnsSlice(['10.244.1.1', '10.244.1.2'])]);
  model.synced('file');
  await proxier.sync();
  model.upsert('f', dnsSlice(['10.244.1.1']));
  await proxier.sync();
  assert.equal(proxier.completedSyncs, 2);
  assert.deepEqual(errors, ['Failed to delete stale UDP conntrack entries', 'Failed to delete stale UDP conntrack entries'], 'one per sync');
});

test('every kernel mode offers the cleanup (unless turned off); userspace, which NATs nothing, does not', () => {
  assert.ok(createIptablesDataPlane({ families: ['IPv4'], conntrackTCPLiberal: false }).conntrack);
  assert.ok(createNftablesDataPlane({ families: ['IPv4'] }).conntrack);
  assert.ok(createIpvsDataPlane({ localAddresses: () => [] }).conntrack);
  assert.equal(createNftablesDataPlane({ families: ['IPv4'], conntrackCleanup: false }).conntrack, undefined);
  assert.equal(createUserspaceDataPlane({ nodePortAddresses: [], portals: 'none', logger: quiet }).conntrack, undefined);
});
