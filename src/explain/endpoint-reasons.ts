// Every endpoint of the matched service port with its state and, for each one not used, why: the model's
// selection reasons (src/model/endpoint-reasons.ts) for the endpoints the port has, plus the endpoints its
// Service's EndpointSlices list that never became endpoints of this port (the other IP family, or a slice
// that does not publish this port), which the snapshot cannot show.

import { endpointReasons } from '../model/endpoint-reasons.js';
import { hostPort } from '../model/host-port.js';
import type { EndpointSlice } from '../model/objects.js';
import type { NodeInfo, ServicePort } from '../model/types.js';

export interface ExplainedEndpoint {
  readonly address: string;
  readonly node: string | undefined;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly local: boolean;
  readonly used: boolean;
  readonly reason?: string;
}

export function explainEndpoints(
  sp: ServicePort,
  policy: 'Cluster' | 'Local',
  node: NodeInfo,
  slices: readonly EndpointSlice[],
): ExplainedEndpoint[] {
  const out: ExplainedEndpoint[] = endpointReasons(sp.endpoints, sp.selection, policy, node).map(({ endpoint: ep, used, reason }) => ({
    address: hostPort(ep.ip, ep.port),
    node: ep.nodeName,
    ready: ep.ready,
    serving: ep.serving,
    terminating: ep.terminating,
    local: ep.isLocal,
    used,
    ...(reason !== undefined ? { reason } : {}),
  }));
  const known = new Set(sp.endpoints.map((ep) => ep.ip));
  for (const slice of slices) {
    const reason = sliceReason(slice, sp);
    if (reason === undefined) continue;
    for (const raw of slice.endpoints ?? []) {
      const ip = raw.addresses?.[0];
      if (typeof ip !== 'string' || known.has(ip)) continue;
      const c = raw.conditions ?? {};
      out.push({
        address: ip,
        node: raw.nodeName,
        ready: c.ready ?? true,
        serving: c.serving ?? true,
        terminating: c.terminating ?? false,
        local: raw.nodeName !== undefined && raw.nodeName === node.name,
        used: false,
        reason: `${reason} (EndpointSlice ${slice.metadata.name})`,
      });
    }
  }
  return out;
}

/** Why a slice gives this port no endpoints, or undefined when it does. */
function sliceReason(slice: EndpointSlice, sp: ServicePort): string | undefined {
  if (slice.addressType !== sp.family) return `wrong family: the slice holds ${slice.addressType} addresses, this port is ${sp.family}`;
  const port = (slice.ports ?? []).find((p) => (p.name ?? '') === sp.portName && (p.protocol ?? 'TCP') === sp.protocol);
  if (!port) return `not in the slice for this port: the slice publishes no ${sp.protocol} port named ${JSON.stringify(sp.portName)}`;
  if (!port.port) return 'not in the slice for this port: the slice gives no port number for it';
  return undefined;
}

