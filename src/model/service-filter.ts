// Which Services kproxy proxies at all, and which ClusterIP a Service has in a family (in one spelling per
// address). Mirrors upstream's ShouldSkipService, GetClusterIPByFamily and kube-proxy's informer label selector.

import { isIP, SocketAddress } from 'node:net';
import { LABEL_HEADLESS, LABEL_SERVICE_PROXY_NAME, type Service } from './objects.js';
import type { IPFamily } from './types.js';

/** Parsing an IPv6 address costs microseconds and every sync sees the same endpoints again: remember them. */
const canonicalV6 = new Map<string, string>();
const CANONICAL_CACHE_SIZE = 200_000;

/**
 * The address as upstream's net.IP prints it: IPv6 lower-case and compressed ("FD44:0::5" is "fd44::5"),
 * so one address written two ways is one address in conflict checks, rule sets and endpoint dedupe.
 */
export function canonicalIP(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  let canonical = canonicalV6.get(ip);
  if (canonical === undefined) {
    if (canonicalV6.size >= CANONICAL_CACHE_SIZE) canonicalV6.clear();
    canonical = new SocketAddress({ address: ip, family: 'ipv6' }).address;
    canonicalV6.set(ip, canonical);
  }
  return canonical;
}

export function familyOfIP(ip: string): IPFamily | undefined {
  const family = isIP(ip);
  return family === 4 ? 'IPv4' : family === 6 ? 'IPv6' : undefined;
}

/**
 * Why a Service is not proxied, or undefined when it is. `serviceProxyName` is the name this proxy
 * claims (--service-proxy-name semantics, KEP-2447): with '' (the default proxy) only Services without the
 * service-proxy-name label are proxied; with a name, only Services whose label equals it.
 */
export function skipReason(svc: Service, serviceProxyName: string): string | undefined {
  const labels = svc.metadata.labels ?? {};
  const claimedBy = labels[LABEL_SERVICE_PROXY_NAME];
  if (claimedBy !== undefined && claimedBy !== serviceProxyName) return `handled by service proxy ${JSON.stringify(claimedBy)}`;
  if (claimedBy === undefined && serviceProxyName !== '') return `no ${LABEL_SERVICE_PROXY_NAME} label for ${JSON.stringify(serviceProxyName)}`;
  if (labels[LABEL_HEADLESS] !== undefined) return `labelled ${LABEL_HEADLESS}`;
  if (svc.spec.type === 'ExternalName') return 'type ExternalName';
  const primary = svc.spec.clusterIPs?.[0] ?? svc.spec.clusterIP ?? '';
  if (primary === '' || primary === 'None') return `clusterIP ${JSON.stringify(primary)} (headless)`;
  return undefined;
}

/** The ClusterIP of `family`, or '' when the Service has none in that family. */
export function clusterIPForFamily(svc: Service, family: IPFamily): string {
  const { clusterIP, clusterIPs, ipFamilies } = svc.spec;
  // Objects written before dual stack (or by hand) may carry only spec.clusterIP.
  if (!ipFamilies || ipFamilies.length === 0) {
    const ips = clusterIPs && clusterIPs.length > 0 ? clusterIPs : clusterIP ? [clusterIP] : [];
    return canonicalIP(ips.find((ip) => familyOfIP(ip) === family) ?? '');
  }
  const index = ipFamilies.indexOf(family);
  const ips = clusterIPs && clusterIPs.length > 0 ? clusterIPs : clusterIP ? [clusterIP] : [];
  return index >= 0 && index < ips.length ? canonicalIP(ips[index] ?? '') : '';
}
