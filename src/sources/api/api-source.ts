// The Kubernetes API source: Services, EndpointSlices and this node's Node object, each kept by its own
// reflector and delivered to the sink under its own origin (api/services, api/endpointslices, api/nodes),
// so relisting one collection replaces only that collection.
//
// start() resolves once every collection has been listed completely; before that nothing is programmed,
// as kube-proxy waits for its informers' caches. While the API server is unreachable the source keeps
// retrying and logs each failure; what was delivered stays in force (no deletes), so the data plane keeps
// the last rules, and /healthz stays as upstream defines it (a proxier that syncs is healthy).

import type { KubeObject, ObjectKind } from '../../model/objects.js';
import type { Logger } from '../../observability/logger.js';
import type { Source, SourceSink } from '../types.js';
import type { ApiTransport } from './api-client.js';
import { Reflector, type ReflectorSink, type ReflectorTuning } from './reflector.js';
import { apiResources, type ResourceSpec } from './resources.js';
import { postStartEvent } from './start-event.js';

export const API_SOURCE_NAME = 'api';

export interface ApiSourceOptions {
  transport: ApiTransport;
  /** This node's name (--hostname-override): the Node watched is the one of this name. */
  hostname: string;
  /** --service-proxy-name; '' for kube-proxy's behaviour. */
  serviceProxyName: string;
  logger: Logger;
  /** Where the connection settings came from, for the start-up log line. */
  server?: string;
  tuning?: ReflectorTuning;
  /** A fresh tuning per reflector (tests inject a recording sleep or backoff per collection). */
  tuningFor?: (kind: ObjectKind) => ReflectorTuning;
}

export function originOf(resource: ResourceSpec): string {
  return `${API_SOURCE_NAME}/${resource.path.split('/').pop()}`;
}

export class ApiSource implements Source {
  readonly name = API_SOURCE_NAME;
  private readonly opts: ApiSourceOptions;
  private readonly reflectors: Reflector[] = [];
  private started = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private startEvent: Promise<void> = Promise.resolve();

  constructor(opts: ApiSourceOptions) {
    if (opts.hostname === '') throw new Error('api source: hostname is empty; the own Node cannot be selected');
    this.opts = opts;
  }

  async start(sink: SourceSink): Promise<void> {
    if (this.started) throw new Error('api source: start() called twice');
    this.started = true;
    const { logger } = this.opts;
    for (const resource of apiResources(this.opts.hostname, this.opts.serviceProxyName)) {
      const tuning = this.opts.tuningFor?.(resource.kind) ?? this.opts.tuning ?? {};
      const reflector = new Reflector({ ...tuning, resource, transport: this.opts.transport, sink: boundSink(sink, resource), logger });
      this.reflectors.push(reflector);
    }
    logger.info('Starting API source', { server: this.opts.server, node: this.opts.hostname });
    this.startEvent = postStartEvent(this.opts.transport, this.opts.hostname, logger, this.abort.signal);
    for (const r of this.reflectors) r.start();
    await Promise.all(this.reflectors.map((r) => r.synced));
    if (this.stopped) return;
    sink.synced(this.name);
    logger.info('Caches populated', { source: this.name });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.all([this.startEvent, ...this.reflectors.map((r) => r.stop())]);
    this.opts.transport.close();
  }

  /** Every collection's last list or watch attempt worked. */
  healthy(): boolean {
    return this.reflectors.length > 0 && this.reflectors.every((r) => r.healthy);
  }
}

function boundSink(sink: SourceSink, resource: ResourceSpec): ReflectorSink {
  const origin = originOf(resource);
  return {
    replace: (objects: KubeObject[]) => sink.replace(origin, objects),
    upsert: (object: KubeObject) => sink.upsert(origin, object),
    remove: (namespace, name) => sink.remove(origin, resource.kind, namespace, name),
  };
}
