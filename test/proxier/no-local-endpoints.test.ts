// kubeproxy_sync_proxy_rules_no_local_endpoints_total: how many service ports with some endpoints have a
// Local traffic policy and no endpoint on this node, by policy (internal, external), as upstream counts them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noLocalEndpointCounts } from '../../src/proxier/no-local-endpoints.js';
import { endpoint, servicePort } from '../fixtures/service-ports.js';
import { snapshot } from '../fixtures/snapshots.js';

const remote = (ip: string) => endpoint(ip, 80, { isLocal: false, nodeName: 'node-b' });

test('service ports with a Local policy and endpoints only elsewhere are counted per policy and family', () => {
  const ports = [
    servicePort({ name: 'itp-remote', clusterIP: '10.96.0.1', internalPolicyLocal: true, endpoints: [remote('10.244.2.1')] }),
    servicePort({ name: 'itp-here', clusterIP: '10.96.0.2', internalPolicyLocal: true, endpoints: [endpoint('10.244.1.1', 80)] }),
    servicePort({ name: 'etp-remote', type: 'NodePort', nodePort: 30001, clusterIP: '10.96.0.3', externalPolicyLocal: true, endpoints: [remote('10.244.2.2')] }),
    servicePort({ name: 'etp-remote6', type: 'NodePort', nodePort: 30002, clusterIP: 'fd96::3', externalPolicyLocal: true, endpoints: [remote('fd44::2')] }),
    // No endpoints at all: rejected, not "no local endpoints" (upstream counts only ports that have some).
    servicePort({ name: 'etp-none', type: 'NodePort', nodePort: 30003, clusterIP: '10.96.0.4', externalPolicyLocal: true, endpoints: [] }),
    servicePort({ name: 'cluster', clusterIP: '10.96.0.5', endpoints: [remote('10.244.2.3')] }),
  ];
  const s = snapshot(ports);
  assert.deepEqual(noLocalEndpointCounts(s.families.IPv4), { internal: 1, external: 1 });
  assert.deepEqual(noLocalEndpointCounts(s.families.IPv6), { internal: 0, external: 1 });
});
