// The IPVS renderer tests' presets over the shared fixtures (test/fixtures): remote endpoints on node-b,
// ports named http, node-a at 192.0.2.10, ports in the order given.

import type { Endpoint, ServicePort, Snapshot } from '../../src/model/types.js';
import { endpoint, NODE_NAME, servicePort as sharedPort, type PortInput } from '../fixtures/service-ports.js';
import { snapshot as sharedSnapshot } from '../fixtures/snapshots.js';

export function ep(ip: string, port: number, isLocal = false): Endpoint {
  return endpoint(ip, port, { nodeName: isLocal ? NODE_NAME : 'node-b', isLocal });
}

export function servicePort(input: PortInput & { clusterIP: string }): ServicePort {
  return sharedPort({ portName: 'http', ...input });
}

export function snapshot(ports: readonly ServicePort[]): Snapshot {
  return sharedSnapshot(ports, { node: { addresses: ['192.0.2.10'] }, inGivenOrder: true });
}
