// Hand-built Snapshot fixtures for the iptables tests. Endpoint selection is the simple case spelled out
// here (ready endpoints; local = ready endpoints on this node when a Local policy applies), so a test
// never depends on the model's selector.

import type {
  Endpoint,
  EndpointSelection,
  FamilySnapshot,
  IPFamily,
  ServicePort,
  ServicePortKey,
  Snapshot,
} from '../../src/model/types.js';

export const NODE_NAME = 'node-a';

export function ep(ip: string, port: number, extra: Partial<Endpoint> = {}): Endpoint {
  return {
    ip, port, ready: true, serving: true, terminating: false, nodeName: undefined, zone: undefined,
    zoneHints: [], nodeHints: [], isLocal: false, ...extra,
  };
}

export function localEp(ip: string, port: number): Endpoint {
  return ep(ip, port, { nodeName: NODE_NAME, isLocal: true });
}

type PortInput = Partial<Omit<ServicePort, 'key' | 'selection'>> & { namespace: string; name: string; clusterIP: string };

export function servicePort(input: PortInput): ServicePort {
  const base = {
    portName: 'p80', family: (input.clusterIP.includes(':') ? 'IPv6' : 'IPv4') as IPFamily, protocol: 'TCP' as const,
    type: 'ClusterIP' as const, port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [],
    loadBalancerSourceRanges: [], sessionAffinity: { type: 'None' as const }, externalPolicyLocal: false,
    internalPolicyLocal: false, healthCheckNodePort: 0, scheduler: 'rr', endpoints: [], ...input,
  };
  const key = `${base.namespace}/${base.name}:${base.portName}`;
  return { ...base, key, selection: select(base) };
}

function select(sp: Omit<ServicePort, 'key' | 'selection'>): EndpointSelection {
  const ready = sp.endpoints.filter((e) => e.ready);
  const external = sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  const usesLocal = sp.internalPolicyLocal || (external && sp.externalPolicyLocal);
  const usesCluster = !sp.internalPolicyLocal || external;
  const cluster = usesCluster ? ready : [];
  const local = usesLocal ? ready.filter((e) => e.isLocal) : [];
  const all = sp.endpoints.filter((e) => cluster.includes(e) || local.includes(e));
  return { cluster, local, allReachable: all, hasAny: ready.length > 0, notes: [] };
}

export function snapshot(ports: readonly ServicePort[], opts: { changed?: readonly string[]; generation?: number; podCIDRs?: string[] } = {}): Snapshot {
  const fam = (family: IPFamily): FamilySnapshot => {
    const list = ports.filter((p) => p.family === family).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { family, servicePorts: new Map<ServicePortKey, ServicePort>(list.map((p) => [p.key, p])) };
  };
  return {
    generation: opts.generation ?? 1,
    node: { name: NODE_NAME, labels: {}, addresses: ['192.168.0.2'], podCIDRs: opts.podCIDRs ?? ['10.0.1.0/24'], terminating: false },
    families: { IPv4: fam('IPv4'), IPv6: fam('IPv6') },
    changed: new Set(opts.changed ?? ports.map((p) => p.key)),
    staleUDP: new Set(),
    triggerTimes: new Map(),
  };
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
