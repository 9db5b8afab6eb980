// The Services that claim a destination and that the model rejected, in whole or in part, with the input
// errors it reported for them (or their EndpointSlices). A rejected Service is absent from the snapshot, so
// without this `explain` could only say "nothing matches"; the raw objects the source delivered still name
// the addresses the operator meant.

import type { InputError } from '../model/input-error.js';
import type { EndpointSlice, Service } from '../model/objects.js';
import { canonicalIP } from '../model/service-filter.js';
import type { Destination } from './connection-parse.js';
import type { NodeAddressing } from './service-match.js';

export interface RejectedService {
  /** namespace/name */
  readonly service: string;
  readonly errors: readonly string[];
}

export function rejectedServicesFor(
  services: readonly Service[],
  errors: readonly InputError[],
  dest: Destination,
  slicesOf: (namespace: string, name: string) => readonly EndpointSlice[],
  node: NodeAddressing,
): RejectedService[] {
  const out: RejectedService[] = [];
  for (const svc of services) {
    if (!claims(svc, dest, node)) continue;
    const namespace = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name;
    const sliceNames = new Set(slicesOf(namespace, name).map((s) => s.metadata.name));
    const own = errors.filter((e) => {
      const d = e.details;
      if ((d.namespace ?? 'default') !== namespace || d.name === undefined) return false;
      return (d.kind === 'Service' && d.name === name) || (d.kind === 'EndpointSlice' && sliceNames.has(d.name));
    });
    if (own.length > 0) out.push({ service: `${namespace}/${name}`, errors: own.map((e) => e.message) });
  }
  return out;
}

/** The raw spec names the destination: a cluster, external or ingress IP with the port, or the NodePort on a node address. */
function claims(svc: Service, dest: Destination, node: NodeAddressing): boolean {
  const spec = svc.spec;
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const ips = [
    spec.clusterIP,
    ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []),
    ...(Array.isArray(spec.externalIPs) ? spec.externalIPs : []),
    ...(Array.isArray(svc.status?.loadBalancer?.ingress) ? svc.status.loadBalancer.ingress.map((i) => i?.ip) : []),
  ].filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
  const sameIP = ips.some((ip) => safeCanonical(ip) === dest.ip);
  if (sameIP && ports.some((p) => p?.port === dest.port)) return true;
  const nodeAddress = node.localAddresses.includes(dest.ip) || dest.ip === '127.0.0.1';
  return nodeAddress && ports.some((p) => p?.nodePort === dest.port);
}

function safeCanonical(ip: string): string {
  try {
    return canonicalIP(ip);
  } catch {
    return ip;
  }
}
