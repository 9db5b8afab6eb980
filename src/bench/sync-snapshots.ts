// Snapshots for the control-plane benchmark: N ClusterIP Services x M endpoints in kproxy's frozen model,
// and the same cluster with one endpoint of one Service changed (what an endpoint churn looks like to a
// data plane). Built directly, so the measurement is the data plane's render and apply, not the sources.

import type { Endpoint, ServicePort, Snapshot } from '../model/types.js';
import { fillerClusterIP, fillerEndpointIP } from './cluster-manifests.js';

export function modelEndpoint(ip: string, port = 8080): Endpoint {
  return { ip, port, ready: true, serving: true, terminating: false, nodeName: undefined, zone: undefined, zoneHints: [], nodeHints: [], isLocal: false };
}

export function modelServicePort(i: number, endpoints: Endpoint[], scheduler = '', clusterIP = fillerClusterIP(i)): ServicePort {
  const name = `svc-${i}`;
  return {
    key: `bench/${name}:http`, namespace: 'bench', name, portName: 'http', family: 'IPv4', protocol: 'TCP', type: 'ClusterIP',
    clusterIP, port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [],
    sessionAffinity: { type: 'None' }, externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0,
    scheduler, endpoints, selection: { cluster: endpoints, local: [], allReachable: endpoints, hasAny: true, notes: [] },
  };
}

export function clusterPorts(services: number, perService: number, scheduler = ''): Map<string, ServicePort> {
  const ports = Array.from({ length: services }, (_, i) =>
    modelServicePort(i, Array.from({ length: perService }, (_, j) => modelEndpoint(fillerEndpointIP(i, j, perService))), scheduler),
  );
  return portMap(ports);
}

/** The same ports keyed as a snapshot holds them. */
export function portMap(ports: readonly ServicePort[]): Map<string, ServicePort> {
  return new Map(ports.map((p) => [p.key, p]));
}

export function snapshotOf(ports: Map<string, ServicePort>, changed: Iterable<string>, generation: number, nodeAddresses = ['10.77.0.1']): Snapshot {
  return {
    generation,
    node: { name: 'bench', labels: {}, addresses: nodeAddresses, podCIDRs: [], terminating: false },
    families: { IPv4: { family: 'IPv4', servicePorts: ports }, IPv6: { family: 'IPv6', servicePorts: new Map() } },
    changed: new Set(changed), staleUDP: new Set(), triggerTimes: new Map(),
  };
}

/** `previous` with the last endpoint of the `round`-th chosen Service moved to a new port (a churn step). */
export function withOneEndpointChanged(previous: Snapshot, round: number): Snapshot {
  const ports = new Map(previous.families.IPv4.servicePorts);
  const keys = [...ports.keys()];
  const victim = ports.get(keys[(round * 7919) % keys.length]!)!;
  const eps = [...victim.endpoints];
  const last = eps[eps.length - 1]!;
  eps[eps.length - 1] = modelEndpoint(last.ip, 8080 + ((round + 1) % 2));
  ports.set(victim.key, { ...victim, endpoints: eps, selection: { ...victim.selection, cluster: eps, allReachable: eps } });
  return snapshotOf(ports, [victim.key], previous.generation + 1);
}
