// What kproxy's first sync through the API holds beyond the sync experiment's render + apply (issue 18: the
// API first sync was 4-5x the sync experiment's at the same size): ingesting N Services x 5 endpoints into
// the model as the API source delivers them (one replace per collection, after every list page), which
// precedes the first sync, and the first, cold buildSnapshot, which the proxy's
// kubeproxy_sync_proxy_rules_duration_seconds includes and the sync experiment (a ready snapshot) does not.
// No root needed. Usage: node dist/bench/model-first-sync.js [N,M,...] (default 1000,5000,10000)

import { fillerServices, nodeObject, serviceObjects } from '../src/bench/cluster-manifests.js';
import { ServiceModel } from '../src/model/service-model.js';

function measure(n: number): Record<string, number> {
  const model = new ServiceModel({ hostname: 'bench-node', defaultScheduler: '', serviceProxyName: '' });
  const pairs = fillerServices(n, 5).map((t) => serviceObjects(t));
  const t0 = performance.now();
  model.replace('api/nodes', [nodeObject('bench-node', '10.77.0.1')]);
  model.replace('api/services', pairs.map(([service]) => service));
  model.replace('api/endpointslices', pairs.map(([, slice]) => slice));
  const t1 = performance.now();
  const first = model.buildSnapshot();
  const t2 = performance.now();
  model.buildSnapshot();
  const t3 = performance.now();
  if (first.families.IPv4.servicePorts.size !== n) throw new Error(`expected ${n} service ports, got ${first.families.IPv4.servicePorts.size}`);
  return { services: n, ingestMs: Math.round(t1 - t0), firstBuildSnapshotMs: Math.round(t2 - t1), warmBuildSnapshotMs: Math.round(t3 - t2) };
}

const counts = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
for (const n of counts) process.stdout.write(`${JSON.stringify(measure(n))}\n`);
