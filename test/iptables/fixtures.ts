// The iptables tests' presets over the shared fixtures (test/fixtures): endpoints on no node unless local,
// ports named p80, node-a at 192.168.0.2 with pod CIDR 10.0.1.0/24; and upstream's service sets.

import type { Endpoint, ServicePort, Snapshot } from '../../src/model/types.js';
import { endpoint, NODE_NAME, servicePort as sharedPort, type PortInput } from '../fixtures/service-ports.js';
import { snapshot as sharedSnapshot } from '../fixtures/snapshots.js';

export { NODE_NAME } from '../fixtures/service-ports.js';

export function ep(ip: string, port: number, extra: Partial<Endpoint> = {}): Endpoint {
  return endpoint(ip, port, { nodeName: undefined, isLocal: false, ...extra });
}

export function localEp(ip: string, port: number): Endpoint {
  return ep(ip, port, { nodeName: NODE_NAME, isLocal: true });
}

export function servicePort(input: PortInput & { namespace: string; clusterIP: string }): ServicePort {
  return sharedPort({ portName: 'p80', ...input });
}

export function snapshot(ports: readonly ServicePort[], opts: { changed?: readonly string[]; generation?: number; podCIDRs?: string[] } = {}): Snapshot {
  const node = { addresses: ['192.168.0.2'], podCIDRs: opts.podCIDRs ?? ['10.0.1.0/24'] };
  return sharedSnapshot(ports, { node, ...(opts.changed ? { changed: opts.changed } : {}), ...(opts.generation !== undefined ? { generation: opts.generation } : {}) });
}

/** The six services of upstream's TestOverallIPTablesRules. */
export function overallServices(): ServicePort[] {
  return [
    servicePort({ namespace: 'ns1', name: 'svc1', clusterIP: '172.30.0.41', endpoints: [ep('10.180.0.1', 80)] }),
    servicePort({
      namespace: 'ns2', name: 'svc2', clusterIP: '172.30.0.42', type: 'LoadBalancer', nodePort: 3001, externalPolicyLocal: true,
      loadBalancerIPs: [{ ip: '1.2.3.4', ipMode: 'VIP' }], externalIPs: ['192.168.99.22'], healthCheckNodePort: 30000,
      endpoints: [ep('10.180.0.2', 80)],
    }),
    servicePort({ namespace: 'ns3', name: 'svc3', clusterIP: '172.30.0.43', type: 'NodePort', nodePort: 3003, endpoints: [ep('10.180.0.3', 80)] }),
    servicePort({
      namespace: 'ns4', name: 'svc4', clusterIP: '172.30.0.44', type: 'NodePort', externalIPs: ['192.168.99.33'],
      endpoints: [ep('10.180.0.4', 80), localEp('10.180.0.5', 80)],
    }),
    servicePort({
      namespace: 'ns5', name: 'svc5', clusterIP: '172.30.0.45', type: 'LoadBalancer', nodePort: 3002,
      loadBalancerIPs: [{ ip: '5.6.7.8', ipMode: 'VIP' }], loadBalancerSourceRanges: ['203.0.113.0/25'],
      sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 }, endpoints: [ep('10.180.0.3', 80)],
    }),
    servicePort({ namespace: 'ns6', name: 'svc6', clusterIP: '172.30.0.46' }),
  ];
}

/** An IPv6 UDP NodePort service with three endpoints and one without any (for the IPv6 golden file). */
export function ipv6Services(): ServicePort[] {
  return [
    servicePort({
      namespace: 'ns1', name: 'dns', portName: 'dns', clusterIP: 'fd00:10:96::a', protocol: 'UDP', port: 53, type: 'NodePort', nodePort: 30053,
      endpoints: [ep('fd00:10:244::1', 5353), ep('fd00:10:244::2', 5353), localEp('fd00:10:244::3', 5353)],
    }),
    servicePort({ namespace: 'ns2', name: 'empty', portName: '', clusterIP: 'fd00:10:96::b', protocol: 'SCTP', port: 7777 }),
  ];
}
