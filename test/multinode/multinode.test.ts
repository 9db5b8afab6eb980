// Multi-node: three node namespaces each run the real kproxy CLI (iptables mode) against one test API
// server. A NodePort with the default (Cluster) external policy answers through every node, reaching pods
// on other nodes; with externalTrafficPolicy Local only nodes with a local endpoint answer on the NodePort
// (upstream drops the rest), and each node's healthCheckNodePort tells a load balancer which nodes those
// are; when an endpoint moves to another node through the API server, the answers follow. Topology in
// topology.ts. Needs root; skips with the reason otherwise.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { TestApiServer } from '../api-server/server.js';
import { hostOf, type FlowResult } from '../../src/lab/flow-wire.js';
import { kproxyCliPath } from '../flow/mode-adapter.js';
import { openApiDoor, type ApiDoor } from '../kube/api-door.js';
import { localEndpointsOf, probeHealth, sendFlows, type HealthAnswer } from './client-probes.js';
import * as K from './cluster-objects.js';
import { startNodeProxy, writeKubeconfig, type NodeProxy } from './node-proxy.js';
import { API_IP, API_PORT, CLIENT_IP, ClusterLab, clusterLabRequirements, NODE_NAMES, NODES, type NodeName } from './topology.js';

const skip = clusterLabRequirements() ?? (existsSync(kproxyCliPath()) ? undefined : `kproxy CLI not built (${kproxyCliPath()} missing)`);
const at = (pod: K.PodRef) => `${pod.ip}:${K.TARGET_PORT}`;

describe('multi-node: three nodes running kproxy (iptables) against one API server', { skip }, () => {
  let lab: ClusterLab | undefined;
  let door: ApiDoor | undefined;
  let dir: string | undefined;
  const api = new TestApiServer();
  const proxies = new Map<NodeName, NodeProxy>();

  /** Rethrow `err` with what every kproxy printed and the iptables rules of `nodes`. */
  async function explain(err: unknown, nodes: readonly NodeName[] = NODE_NAMES): Promise<never> {
    let report = err instanceof Error ? err.message : String(err);
    for (const [name, proxy] of proxies) report += `\n--- kproxy on ${name} ---\n${proxy.logs().slice(-4000)}`;
    for (const n of nodes) {
      const rules = await lab?.exec(n, 'iptables-save', []).then((r) => r.stdout, (e: Error) => e.message);
      report += `\n--- iptables-save on ${n} ---\n${rules}`;
    }
    throw new Error(report);
  }

  /** Apply `change` to the API server and wait until every node has synced after it. */
  async function changeAndSync(change: () => void): Promise<void> {
    const since = Date.now();
    change();
    await Promise.all([...proxies.values()].map((p) => p.waitForSync(since))).catch(explain);
  }

  before(async () => {
    await api.start();
    for (const n of K.nodeObjects()) api.store.put('nodes', n);
    api.store.put('services', K.clusterPolicyService());
    api.store.put('endpointslices', K.sliceOf('web', [K.POD_A1, K.POD_B1]));
    api.store.put('services', K.localPolicyService());
    api.store.put('endpointslices', K.sliceOf('lb', [K.POD_A1, K.POD_C1]));
    lab = await ClusterLab.create();
    door = await openApiDoor((cmd, args) => lab!.spawnReady('api', cmd, args), api.port, `${API_IP}:${API_PORT}`);
    dir = mkdtempSync(join(tmpdir(), 'kpt-multinode-'));
    const backend = fileURLToPath(new URL('../../src/lab/backend-server.js', import.meta.url));
    for (const n of NODE_NAMES) {
      await lab.spawnReady(`pods-${n}`, process.execPath, [backend, ...NODES[n].podIPs.map((ip) => `${ip}:${K.TARGET_PORT}`)]);
    }
    const kubeconfig = writeKubeconfig(dir, `http://${API_IP}:${API_PORT}`);
    await changeAndSync(() => {
      for (const n of NODE_NAMES) proxies.set(n, startNodeProxy(lab!, n, kubeconfig));
    });
  });

  after(async () => {
    await Promise.all([...proxies.values()].map((p) => p.stop()));
    await door?.close();
    await lab?.destroy();
    await api.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a Cluster-policy NodePort answers through every node, reaching pods on other nodes', async () => {
    const pods = [K.POD_A1, K.POD_B1];
    for (const n of NODE_NAMES) {
      // iptables mode picks an endpoint at random per connection: 16 flows all staying on node-a (or
      // node-b) happens once in 65536 runs, so "some flow crossed nodes" is a fair thing to require.
      const results = await sendFlows(lab!, `${NODES[n].ip}:${K.CLUSTER_NODE_PORT}`, 16);
      const via = `NodePort ${K.CLUSTER_NODE_PORT} via ${n}: ${JSON.stringify(results)}`;
      try {
        assert.ok(results.every((r) => r.outcome === 'answered'), `every flow is answered (${via})`);
        assert.ok(results.every((r) => pods.some((p) => r.endpoint === at(p))), `only the Service's pods answer (${via})`);
        const remote = results.filter((r) => pods.some((p) => r.endpoint === at(p) && p.node !== n));
        assert.ok(remote.length > 0, `some flows reach a pod on another node (${via})`);
        // Cluster policy masquerades external traffic, so replies come back through the node it entered.
        assert.ok(results.every((r) => hostOf(r.source) !== CLIENT_IP), `pods see a node address, not the client (${via})`);
      } catch (err) {
        await explain(err, [n]);
      }
    }
  });

  test('externalTrafficPolicy Local: only nodes with a local endpoint answer, and their health checks say so', async () => {
    await expectLocalPolicy({ 'node-a': K.POD_A1, 'node-b': undefined, 'node-c': K.POD_C1 });
  });

  test('an endpoint moving from node-a to node-b through the API server: NodePort and health checks follow', async () => {
    await changeAndSync(() => api.store.put('endpointslices', K.sliceOf('lb', [K.POD_B1, K.POD_C1])));
    await expectLocalPolicy({ 'node-a': undefined, 'node-b': K.POD_B1, 'node-c': K.POD_C1 });
  });

  /** Per node: the pod its Local-policy NodePort must reach, or undefined when it has none and must drop. */
  async function expectLocalPolicy(local: Record<NodeName, K.PodRef | undefined>): Promise<void> {
    for (const n of NODE_NAMES) {
      const pod = local[n];
      try {
        const health = await healthWhen(n, (h) => h.status === (pod ? 200 : 503));
        assert.deepEqual(JSON.parse(health.body ?? ''), {
          service: { namespace: 'default', name: 'lb' },
          localEndpoints: pod ? 1 : 0,
          serviceProxyHealthy: true,
        }, `health check of ${n}: upstream's JSON with its local endpoint count`);
        const to = `${NODES[n].ip}:${K.LOCAL_NODE_PORT}`;
        const results = await sendFlows(lab!, to, pod ? 4 : 1);
        if (pod) assertAnsweredLocally(results, pod, `${to} (${n})`);
        else assert.deepEqual(results.map((r) => r.outcome), ['dropped'], `${to} (${n}, no local endpoint) drops`);
      } catch (err) {
        await explain(err, [n]);
      }
    }
  }

  /** The health check of `n`'s healthCheckNodePort once `ok` holds (the health server follows the sync). */
  async function healthWhen(n: NodeName, ok: (h: HealthAnswer) => boolean): Promise<HealthAnswer> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await probeHealth(lab!, NODES[n].ip, K.HEALTH_CHECK_NODE_PORT);
      if (ok(answer)) return answer;
      if (Date.now() > deadline) {
        assert.fail(`health check of ${n} on port ${K.HEALTH_CHECK_NODE_PORT}: got ${JSON.stringify(answer)} (localEndpoints ${localEndpointsOf(answer)})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

/** Every flow answered by `pod`, which saw the client's own address (Local policy does not masquerade). */
function assertAnsweredLocally(results: FlowResult[], pod: K.PodRef, via: string): void {
  const shown = `${via}: ${JSON.stringify(results)}`;
  assert.ok(results.every((r) => r.outcome === 'answered' && r.endpoint === at(pod)), `every flow answered by ${at(pod)} on ${pod.node} (${shown})`);
  assert.ok(results.every((r) => hostOf(r.source) === CLIENT_IP), `the pod sees the client's address ${CLIENT_IP} (${shown})`);
}
