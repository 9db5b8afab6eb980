// Turns the EndpointSlices of one Service into the endpoint list of one service port, as upstream's
// EndpointSliceCache does: slice ports match the service port by name and protocol, only slices of the
// port's family count, an endpoint is its first address, and an endpoint listed by several slices
// (it may be moving between them) appears once, the local copy winning.

import type { EndpointSlice, EndpointSliceEndpoint } from './objects.js';
import { canonicalIP } from './service-filter.js';
import type { Endpoint, IPFamily, Protocol } from './types.js';

const NO_HINTS: readonly string[] = Object.freeze([]);

function hintNames(list: readonly { name: string }[] | undefined): readonly string[] {
  if (!list || list.length === 0) return NO_HINTS;
  return Object.freeze(list.map((h) => h.name));
}

function makeEndpoint(ep: EndpointSliceEndpoint, port: number, hostname: string): Endpoint {
  const conditions = ep.conditions ?? {};
  const nodeName = ep.nodeName;
  return Object.freeze({
    ip: canonicalIP(ep.addresses[0] as string),
    port,
    // Unset conditions mean ready/serving and not terminating (the API's documented defaults).
    ready: conditions.ready ?? true,
    serving: conditions.serving ?? true,
    terminating: conditions.terminating ?? false,
    nodeName,
    zone: ep.zone,
    zoneHints: hintNames(ep.hints?.forZones),
    nodeHints: hintNames(ep.hints?.forNodes),
    isLocal: hostname !== '' && nodeName === hostname,
  });
}

/**
 * The port number a slice publishes for the service port (portName, protocol), or 0 when it has none.
 * A slice port without a name matches the unnamed service port (upstream ignores a nil name; files
 * written by hand often leave it out). A missing or zero port number means "all ports" upstream, which
 * kube-proxy ignores, and so does kproxy.
 */
function slicePortNumber(slice: EndpointSlice, portName: string, protocol: Protocol): number {
  for (const p of slice.ports ?? []) {
    if ((p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol) return p.port ?? 0;
  }
  return 0;
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  return a.port - b.port;
}

/** `slices` should be in a stable order (by name) so that duplicate resolution is deterministic. */
export function endpointsForPort(
  slices: readonly EndpointSlice[],
  family: IPFamily,
  portName: string,
  protocol: Protocol,
  hostname: string,
): Endpoint[] {
  const all: Endpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== family) continue;
    const port = slicePortNumber(slice, portName, protocol);
    if (port === 0) continue;
    for (const raw of slice.endpoints ?? []) {
      if (raw.addresses.length > 0) all.push(makeEndpoint(raw, port, hostname));
    }
  }
  // The sort is stable, so copies of one ip:port end up adjacent and in slice order.
  all.sort(compareEndpoints);
  return dropDuplicates(all);
}

/** Keeps one endpoint per ip:port: the first, unless a later copy is local. */
function dropDuplicates(sorted: Endpoint[]): Endpoint[] {
  let out = 0;
  for (let i = 0; i < sorted.length; i++) {
    const ep = sorted[i] as Endpoint;
    const kept = out > 0 ? (sorted[out - 1] as Endpoint) : undefined;
    if (kept && kept.ip === ep.ip && kept.port === ep.port) {
      if (ep.isLocal && !kept.isLocal) sorted[out - 1] = ep;
      continue;
    }
    sorted[out++] = ep;
  }
  sorted.length = out;
  return sorted;
}
