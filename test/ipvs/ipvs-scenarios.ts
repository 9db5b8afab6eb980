// Scenarios only the IPVS mode runs (IPVS-specific upstream issues), in the flow suite's format.

import { CLIENT_IP } from '../../src/lab/lab-addresses.js';
import { port, service, slice } from '../fixtures/objects.js';
import type { Scenario } from '../flow/scenario.js';
import { A1, A2, THIS_NODE, at, local, thisNode } from '../flow/scenario-fixtures.js';

const svc = service('reuse', { clusterIP: '10.96.8.10', ports: [port(80, 8080)] });

export const IPVS_SCENARIOS: Scenario[] = [
  // Upstream issue 81775: a new connection that reuses the source port of one that went to a now removed
  // endpoint must be scheduled afresh, not sent to the removed endpoint (conn_reuse_mode; fixed in 5.9,
  // where kube-proxy leaves the sysctl alone).
  {
    name: 'issue 81775: a reused source port never reaches a deleted endpoint',
    nodeName: THIS_NODE,
    objects: [thisNode, svc, slice('reuse', [8080], [local(A1)])],
    flows: [{ from: 'client', fromIP: CLIENT_IP, sourcePort: 41775, proto: 'tcp', to: '10.96.8.10:80', expect: { answeredBy: [at(A1)] } }],
    steps: [
      {
        name: 'A1 removed, A2 added',
        objects: [thisNode, svc, slice('reuse', [8080], [local(A2)])],
        flows: [{ from: 'client', fromIP: CLIENT_IP, sourcePort: 41775, proto: 'tcp', to: '10.96.8.10:80', count: 3, expect: { answeredBy: [at(A2)] } }],
      },
    ],
  },
];
