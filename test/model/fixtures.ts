// What the model tests build from: the bare API objects (test/fixtures/bare-objects.ts), and Endpoint
// values for the selector tests.

import type { Endpoint } from '../../src/model/types.js';
import { endpoint as sharedEndpoint } from '../fixtures/service-ports.js';

export { node, service, slice } from '../fixtures/bare-objects.js';

/** An Endpoint value for selector tests: ready on node "other", port 8080, unless told otherwise. */
export function endpoint(ip: string, fields: Partial<Endpoint> = {}): Endpoint {
  return sharedEndpoint(ip, 8080, { nodeName: 'other', isLocal: false, ...fields });
}

export const TERMINATING = { ready: false, serving: true, terminating: true } as const;
export const UNREADY = { ready: false, serving: false, terminating: false } as const;
