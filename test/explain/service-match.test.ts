// Which service port a destination reaches and as what, for each kind, and what the node does when
// nothing matches.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMatch, matchService, type NodeAddressing } from '../../src/explain/service-match.js';
import type { ServicePort, Snapshot } from '../../src/model/types.js';
import { servicePort } from '../fixtures/service-ports.js';

function snapshotOf(ports: ServicePort[]): Snapshot {
  const v4 = new Map(ports.filter((p) => p.family === 'IPv4').map((p) => [p.key, p]));
  return {
    generation: 1,
    node: { name: 'node-a', labels: {}, addresses: ['192.0.2.10'], podCIDRs: [], terminating: false },
    families: { IPv4: { family: 'IPv4', servicePorts: v4 }, IPv6: { family: 'IPv6', servicePorts: new Map() } },
    changed: new Set(),
    staleUDP: new Set(),
    triggerTimes: new Map(),
  };
}

const SNAPSHOT = snapshotOf([
  servicePort({ name: 'web', clusterIP: '10.96.0.20', port: 80 }),
  servicePort({
    name: 'edge',
    type: 'LoadBalancer',
    clusterIP: '10.96.0.30',
    port: 80,
    nodePort: 30080,
    externalIPs: ['198.51.100.7'],
    loadBalancerIPs: [{ ip: '198.51.100.9', ipMode: 'VIP' }, { ip: '198.51.100.10', ipMode: 'Proxy' }],
    externalPolicyLocal: true,
  }),
]);
const ALL: NodeAddressing = { localAddresses: ['192.0.2.10', '192.0.2.11', '127.0.0.1'], nodePortAddresses: 'all', localhostNodePorts: true };

function kindOf(ip: string, port: number, node = ALL, protocol: 'TCP' | 'UDP' = 'TCP'): string {
  const m = matchService(SNAPSHOT, { ip, port, protocol }, node);
  return isMatch(m) ? `${m.kind} ${m.servicePort.name} ${m.policy}` : `none: ${m.what}`;
}

test('each kind of destination matches its service port, with the policy that governs it', () => {
  assert.equal(kindOf('10.96.0.20', 80), 'ClusterIP web Cluster');
  assert.equal(kindOf('10.96.0.30', 80), 'ClusterIP edge Cluster');
  assert.equal(kindOf('198.51.100.7', 80), 'ExternalIP edge Local');
  assert.equal(kindOf('198.51.100.9', 80), 'LoadBalancer edge Local');
  assert.equal(kindOf('192.0.2.11', 30080), 'NodePort edge Local');
  assert.equal(kindOf('127.0.0.1', 30080), 'LocalhostNodePort edge Local');
});

test('--nodeport-addresses limits the addresses a NodePort answers on; localhost NodePorts can be off', () => {
  const primary: NodeAddressing = { ...ALL, nodePortAddresses: ['192.0.2.10'], localhostNodePorts: false };
  assert.equal(kindOf('192.0.2.10', 30080, primary), 'NodePort edge Local');
  assert.match(kindOf('192.0.2.11', 30080, primary), /^none: 30080 is the NodePort of default\/edge:, but 192.0.2.11 is not one of the --nodeport-addresses/);
  assert.match(kindOf('127.0.0.1', 30080, primary), /^none: 30080 is the NodePort of default\/edge:, but NodePorts are not served on localhost/);
  assert.match(kindOf('203.0.113.1', 30080), /not an address of this node; the packet is routed on untouched/);
});

test('near misses say what is wrong and what the node does instead', () => {
  assert.match(kindOf('10.96.0.20', 81), /^none: 10.96.0.20 is a Service address, but no TCP port 81 is served on it \(served: 80\/TCP \(default\/web:\)\)/);
  assert.match(kindOf('10.96.0.20', 80, ALL, 'UDP'), /no UDP port 80 is served on it/);
  assert.match(kindOf('198.51.100.10', 80), /ipMode Proxy: the load balancer, not the node, forwards it/);
  assert.match(kindOf('10.1.2.3', 80), /^none: no Service uses 10.1.2.3:80\/TCP; kproxy leaves the packet alone and routing decides$/);
  assert.match(kindOf('192.0.2.10', 22), /it is this node's address, so a local socket answers or the kernel resets/);
});
