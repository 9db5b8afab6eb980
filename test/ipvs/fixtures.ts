// Hand-built snapshots for the IPVS renderer tests: ready endpoints only, local = those on this node.

import type { Endpoint, IPFamily, ServicePort, Snapshot } from '../../src/model/types.js';

export function ep(ip: string, port: number, isLocal = false): Endpoint {
  return { ip, port, ready: true, serving: true, terminating: false, nodeName: isLocal ? 'node-a' : 'node-b', zone: undefined, zoneHints: [], nodeHints: [], isLocal };
}

type PortInput = Partial<Omit<ServicePort, 'key' | 'selection'>> & { name: string; clusterIP: string };

export function servicePort(input: PortInput): ServicePort {
  const base = {
    namespace: 'default', portName: 'http', family: (input.clusterIP.includes(':') ? 'IPv6' : 'IPv4') as IPFamily,
    protocol: 'TCP' as const, type: 'ClusterIP' as const, port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [],
    loadBalancerSourceRanges: [], sessionAffinity: { type: 'None' as const }, externalPolicyLocal: false,
    internalPolicyLocal: false, healthCheckNodePort: 0, scheduler: 'rr', endpoints: [], ...input,
  };
  const ready = base.endpoints.filter((e) => e.ready);
  const anyLocal = base.externalPolicyLocal || base.internalPolicyLocal;
  const local = anyLocal ? ready.filter((e) => e.isLocal) : [];
  return {
    ...base,
    key: `${base.namespace}/${base.name}:${base.portName}`,
    selection: { cluster: ready, local, allReachable: ready, hasAny: ready.length > 0, notes: [] },
  };
}

export function snapshot(ports: readonly ServicePort[]): Snapshot {
  const fam = (family: IPFamily) => ({ family, servicePorts: new Map(ports.filter((p) => p.family === family).map((p) => [p.key, p])) });
  return {
    generation: 1,
    node: { name: 'node-a', labels: {}, addresses: ['192.0.2.10'], podCIDRs: [], terminating: false },
    families: { IPv4: fam('IPv4'), IPv6: fam('IPv6') },
    changed: new Set(ports.map((p) => p.key)),
    staleUDP: new Set(),
    triggerTimes: new Map(),
  };
}
