// The flow suite's lab as a packet tracer sees it: which connection each flow is when it first meets the
// node's netfilter (origin, source address, incoming interface), the node's facts, and what the lab's
// routing does with a connection the program leaves alone. Read from lab.ts's wiring, so a trace and a real
// flow start from the same place.

import { BlockList, isIP } from 'node:net';
import type { NodeFacts, TracedConnection, TraceProtocol } from '../../src/explain/trace.js';
import type { InterfaceAddress } from '../../src/host/node-addresses.js';
import { joinHostPort, splitHostPort, type Outcome } from '../../src/lab/flow-wire.js';
import * as A from '../../src/lab/lab-addresses.js';
import { NODE_LINKS } from '../../src/lab/node-lab.js';
import type { LabPlan } from '../flow/manifests.js';
import type { Flow } from '../flow/scenario.js';

export const LAB_NODE: NodeFacts = { localAddresses: A.NODE_ADDRESSES };

/** The node namespace's interfaces and their addresses, as lab.ts configures them. */
export const LAB_NODE_INTERFACES: readonly InterfaceAddress[] = [
  { interface: 'lo', address: '127.0.0.1' },
  { interface: 'lo', address: '::1' },
  { interface: NODE_LINKS.client, address: A.NODE_IP },
  { interface: NODE_LINKS.client, address: A.NODE_IP6 },
  ...[NODE_LINKS.pods, NODE_LINKS.clientpods].flatMap((link) => [A.NODE_POD_GATEWAY, A.NODE_POD_GATEWAY6].map((address) => ({ interface: link, address }))),
];

const isV6 = (ip: string) => isIP(ip) === 6;
const isLoopback = (ip: string) => ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));

/** The connection `flow` opens, as the node first sees it. `plan`: the lab's pods (which link a pod is behind). */
export function connectionOf(flow: Flow, plan: LabPlan): TracedConnection {
  const { ip: destination, port } = splitHostPort(flow.to, 'flow destination');
  const protocol: TraceProtocol = flow.proto === 'udp' ? 'UDP' : 'TCP';
  const base = { protocol, destination, port };
  switch (flow.from) {
    case 'client':
      return { ...base, origin: 'external', source: flow.fromIP ?? (isV6(destination) ? A.CLIENT_IP6 : A.CLIENT_IP), inInterface: NODE_LINKS.client };
    case 'pod': {
      if (!flow.fromIP) throw new Error(`a pod flow needs fromIP: ${JSON.stringify(flow)}`);
      const link = plan.podIPs.includes(flow.fromIP) ? NODE_LINKS.pods : NODE_LINKS.clientpods;
      return { ...base, origin: 'pod', source: flow.fromIP, inInterface: link };
    }
    case 'node':
      return { ...base, origin: 'node', source: flow.fromIP ?? nodeSourceFor(destination, plan) };
    case 'localhost':
      return { ...base, origin: 'node', source: flow.fromIP ?? (isV6(destination) ? '::1' : '127.0.0.1') };
  }
}

/**
 * The source address the node's routing picks for `destination` (before any NAT, as OUTPUT sees it):
 * the destination itself when it is the node's, the pod gateway towards the pods, else the uplink's.
 */
export function nodeSourceFor(destination: string, plan: LabPlan): string {
  if (isLoopback(destination)) return isV6(destination) ? '::1' : '127.0.0.1';
  if (A.NODE_ADDRESSES.includes(destination)) return destination;
  const towardsPods = inCidr(destination, isV6(destination) ? A.POD_CIDR6 : A.POD_CIDR) || plan.clientPodIPs.includes(destination);
  if (towardsPods) return isV6(destination) ? A.NODE_POD_GATEWAY6 : A.NODE_POD_GATEWAY;
  return isV6(destination) ? A.NODE_IP6 : A.NODE_IP;
}

export interface RoutedResult {
  outcome: Outcome;
  /** 'answered': the pod address that answers (the destination itself). */
  endpoint?: string;
}

/**
 * What the lab does with a connection no rule touched: a node address has nothing listening (refused), a
 * pod address the backend serves answers itself (refused on a port it does not serve), and anything else
 * follows the node's default route to the client, which does not forward (lost).
 */
export function routedResult(c: TracedConnection, plan: LabPlan): RoutedResult {
  if (isLoopback(c.destination) || A.NODE_ADDRESSES.includes(c.destination)) return { outcome: 'rejected' };
  if (plan.podIPs.includes(c.destination)) {
    const endpoint = joinHostPort(c.destination, c.port);
    return plan.listen.includes(endpoint) ? { outcome: 'answered', endpoint } : { outcome: 'rejected' };
  }
  return { outcome: 'dropped' };
}

function inCidr(ip: string, cidr: string): boolean {
  const [net = '', bits = ''] = cidr.split('/');
  const family = isV6(net) ? 'ipv6' : 'ipv4';
  if ((isV6(ip) ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new BlockList();
  list.addSubnet(net, Number(bits), family);
  return list.check(ip, family);
}
