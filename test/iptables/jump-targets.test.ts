// Every chain a rule jumps to must exist: iptables-restore refuses the whole input otherwise, and no
// Service changes until the next full sync. Found by the input fuzz (test/fuzz): a NodePort with both
// traffic policies Local sent pod traffic to KUBE-SVC, which was never written because the plan thought
// the port used no cluster endpoints. Upstream: a port that takes external traffic always uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceModel } from '../../src/model/service-model.js';
import type { KubeObject } from '../../src/model/objects.js';
import { IptablesRenderer } from '../../src/dataplane/iptables/renderer.js';
import { service as bareService, slice as bareSlice } from '../fixtures/bare-objects.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' };

/** Jump targets of rules that name no chain declared in the same table (built-in targets aside). */
function undeclaredJumps(restore: string): string[] {
  const missing: string[] = [];
  for (const table of restore.split(/^\*/m).slice(1)) {
    const declared = new Set([...table.matchAll(/^:(\S+)/gm)].map((m) => m[1]!));
    for (const m of table.matchAll(/ -[jg] (KUBE-\S+)/g)) if (!declared.has(m[1]!) && !['KUBE-MARK-MASQ', 'KUBE-MARK-DROP'].includes(m[1]!)) missing.push(m[1]!);
  }
  return missing;
}

test('a NodePort with internal and external traffic policy Local jumps only to chains it declares', () => {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '' });
  const objects: KubeObject[] = [
    bareService('api', {
      type: 'NodePort', clusterIP: '10.96.1.13', internalTrafficPolicy: 'Local', externalTrafficPolicy: 'Local',
      ports: [{ name: 'dns', port: 81, nodePort: 30081, protocol: 'TCP' }],
    }, { namespace: 'default' }),
    bareSlice('api-1', 'api', [{ addresses: ['10.244.1.5'], nodeName: 'node-b', conditions: { ready: true } }], {
      namespace: 'default', ports: [{ name: 'dns', port: 8081, protocol: 'TCP' }],
    }),
  ];
  model.replace('f', objects);
  const renderer = new IptablesRenderer({ detectLocal });
  const restore = renderer.format(renderer.render({ snapshot: model.buildSnapshot(), previous: undefined, full: true }));
  assert.deepEqual(undeclaredJumps(restore), [], restore);
  assert.match(restore, /pod traffic for default\/api:dns external destinations/);
});
