// The Node event kube-proxy posts once at start, so `kubectl get events` and `kubectl describe node` show
// when the proxy (re)started on a node. Its shape is the one upstream v1.30 kube-proxy writes through
// events.k8s.io/v1 (checked against a real API server): reason Starting, action StartKubeProxy, type
// Normal, regarding the Node with the node name as uid, in the default namespace, reported by kube-proxy
// from instance kube-proxy-HOSTNAME, named NODE.<eventTime in hex nanoseconds>. kproxy keeps the
// controller name so dashboards and alerts that select on it keep working. Posting is best effort: a
// failure is logged and never holds up the proxy.

import { hostname as osHostname } from 'node:os';
import type { Logger } from '../../observability/logger.js';
import type { ApiTransport } from './api-client.js';

export const EVENTS_PATH = '/apis/events.k8s.io/v1/namespaces/default/events';

export function startEvent(nodeName: string, now: Date, host: string): Record<string, unknown> {
  // Microsecond precision, as the API's MicroTime; the name uses nanoseconds like client-go's recorder.
  const micros = BigInt(now.getTime()) * 1000n;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${nodeName}.${(micros * 1000n).toString(16)}`, namespace: 'default' },
    eventTime: `${now.toISOString().slice(0, 19)}.${String(micros % 1_000_000n).padStart(6, '0')}Z`,
    reportingController: 'kube-proxy',
    reportingInstance: `kube-proxy-${host}`,
    action: 'StartKubeProxy',
    reason: 'Starting',
    type: 'Normal',
    regarding: { kind: 'Node', name: nodeName, uid: nodeName },
  };
}

/** Posts the start event; resolves whatever happens. */
export async function postStartEvent(transport: ApiTransport, nodeName: string, logger: Logger, signal?: AbortSignal): Promise<void> {
  if (!transport.postJSON) return;
  try {
    await transport.postJSON(EVENTS_PATH, startEvent(nodeName, new Date(), osHostname()), signal);
  } catch (err) {
    if (signal?.aborted) return;
    logger.warn('Server rejected event (will not retry!)', { reason: 'Starting', node: nodeName, err: err instanceof Error ? err.message : String(err) });
  }
}
