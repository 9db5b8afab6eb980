// The model: the SourceSink every source feeds. It validates each object, arbitrates between origins,
// keeps the last good version of an object whose update is invalid, and builds frozen Snapshots for the
// modes (see ServiceState). Listeners hear about changes that need a sync and about every rejected input.

import type { SourceSink } from './source-sink.js';
import { ErrorBook, errorKey } from './error-book.js';
import { InputError } from './input-error.js';
import type { EndpointSlice, KubeObject, Node, ObjectKind, Service } from './objects.js';
import { objectId, OriginStore } from './origin-store.js';
import type { ClaimLoss } from './port-claims.js';
import { claimText } from './service-ports.js';
import { ServiceState, type SelfEndpoint } from './service-state.js';
import type { IPFamily, NodeInfo, Snapshot } from './types.js';
import { DEFAULT_NAMESPACE, isNamespaced, validateObject, type ServiceLimits } from './validate.js';

export interface ServiceModelOptions {
  /** This node's name: endpoints on it are local, and the Node of this name is the own Node. */
  hostname: string;
  defaultScheduler: string;
  /** The service-proxy-name this proxy answers to; '' for the default proxy (unlabelled Services only). */
  serviceProxyName: string;
  /** Families to build service ports for (default both). */
  ipFamilies?: IPFamily[];
  /** Wall clock in ms; EndpointSlice trigger times before construction are ignored. */
  now?: () => number;
  /** Honour per-node topology hints (PreferSameTrafficDistribution). Default true. */
  preferSameNode?: boolean;
  /** Follow topology hints only for Services that opt in (kube-proxy before 1.33). Default false. */
  requireTopologyOptIn?: boolean;
  /** The cluster's node port range, when known, to reject node ports outside it. */
  nodePortRange?: ServiceLimits['nodePortRange'];
  /** Accept loopback endpoints (the userspace mode can reach a local backend; the API server refuses them). */
  allowLoopbackEndpoints?: boolean;
}

export class ServiceModel implements SourceSink {
  readonly #opts: ServiceModelOptions;
  readonly #errors = new ErrorBook();
  readonly #store: OriginStore;
  readonly #state: ServiceState;
  readonly #synced = new Set<string>();
  readonly #changeListeners: (() => void)[] = [];
  readonly #errorListeners: ((e: InputError) => void)[] = [];
  #batchNeedsSync = false;
  #batchDepth = 0;
  #reportedWithoutId = 0;

  constructor(opts: ServiceModelOptions) {
    this.#opts = opts;
    this.#state = new ServiceState({
      hostname: opts.hostname,
      defaultScheduler: opts.defaultScheduler,
      serviceProxyName: opts.serviceProxyName,
      families: opts.ipFamilies ?? ['IPv4', 'IPv6'],
      selection: { preferSameNode: opts.preferSameNode ?? true, requireTopologyOptIn: opts.requireTopologyOptIn ?? false },
      startTime: (opts.now ?? Date.now)(),
      onClaimLosses: (id, losses) => this.#recordClaimLosses(id, losses),
      onSelfEndpoints: (id, endpoints) => this.#recordSelfEndpoints(id, endpoints),
    });
    this.#store = new OriginStore({
      applied: (_id, previous, current) => this.#apply(previous, current),
      conflicted: (origin, holder, id, object) => this.#recordOriginConflict(origin, holder, id, object),
      unblocked: (origin, id) => this.#errors.clear(errorKey('conflict', origin, id)),
    });
  }

  onChange(listener: () => void): void {
    this.#changeListeners.push(listener);
  }
  onError(listener: (e: InputError) => void): void {
    this.#errorListeners.push(listener);
  }
  isSynced(sources: readonly string[]): boolean {
    return sources.every((s) => this.#synced.has(s));
  }
  pendingServiceChanges(): number {
    return this.#state.pendingServiceChanges();
  }
  pendingEndpointChanges(): number {
    return this.#state.pendingEndpointChanges();
  }
  buildSnapshot(): Snapshot {
    return this.#state.build();
  }
  node(): NodeInfo {
    return this.#state.node();
  }
  errors(): readonly InputError[] {
    return this.#errors.all();
  }

  replace(origin: string, objects: readonly KubeObject[]): void {
    this.#batch(() => {
      this.#errors.clearOrigin(origin);
      const present = new Set<string>();
      objects.forEach((raw) => {
        const id = this.#accept(origin, raw, present);
        if (id !== undefined) present.add(id);
      });
      for (const id of [...this.#store.idsOf(origin)]) if (!present.has(id)) this.#withdraw(origin, id);
    });
  }

  upsert(origin: string, object: KubeObject): void {
    this.#batch(() => this.#accept(origin, object, undefined));
  }

  remove(origin: string, kind: ObjectKind, namespace: string | undefined, name: string): void {
    const ns = isNamespaced(kind) ? namespace || DEFAULT_NAMESPACE : undefined;
    this.#batch(() => this.#withdraw(origin, objectId(kind, ns, name)));
  }

  reportError(error: InputError): void {
    const d = error.details;
    const subject = d.kind && d.name ? objectId(d.kind as ObjectKind, d.namespace, d.name) : `#${++this.#reportedWithoutId}`;
    this.#errors.put(errorKey('reported', d.origin, subject), [error]);
    this.#emitErrors([error]);
  }

  synced(source: string): void {
    this.#synced.add(source);
  }

  /**
   * Validates and offers one object. Returns the object's id when it is known (also for an invalid
   * object, whose last good version then stays), so replace() does not withdraw it.
   */
  #accept(origin: string, raw: unknown, batchIds: Set<string> | undefined): string | undefined {
    const result = validateObject(raw, origin, this.#limits());
    const first = result.errors[0]?.details;
    const object = result.object;
    const id = object
      ? objectId(object.kind as ObjectKind, object.metadata.namespace, object.metadata.name)
      : first?.name
        ? objectId(first.kind as ObjectKind, first.namespace, first.name)
        : undefined;
    if (!object || id === undefined) {
      const subject = id ?? `#${++this.#reportedWithoutId}`;
      this.#errors.put(errorKey('invalid', origin, subject), result.errors);
      this.#emitErrors(result.errors);
      return id;
    }
    if (batchIds?.has(id)) {
      const dup = new InputError({ code: 'KPROXY_CONFLICT', origin, ...describe(object), reason: 'is listed twice in this source; the first definition is used' });
      this.#errors.put(errorKey('duplicate', origin, id), [dup]);
      this.#emitErrors([dup]);
      return id;
    }
    this.#clearObjectErrors(origin, id);
    this.#emitErrors(this.#errors.put(errorKey('ignored', origin, id), result.warnings ?? []));
    this.#store.offer(origin, id, object);
    return id;
  }

  #withdraw(origin: string, id: string): void {
    this.#clearObjectErrors(origin, id);
    this.#errors.clear(errorKey('ignored', origin, id));
    this.#store.withdraw(origin, id);
  }

  #clearObjectErrors(origin: string, id: string): void {
    if (this.#errors.size === 0) return;
    this.#errors.clear(errorKey('invalid', origin, id));
    this.#errors.clear(errorKey('reported', origin, id));
  }

  #limits(): ServiceLimits {
    const { nodePortRange, allowLoopbackEndpoints } = this.#opts;
    return { ...(nodePortRange ? { nodePortRange } : {}), ...(allowLoopbackEndpoints ? { allowLoopbackEndpoints } : {}) };
  }

  #apply(previous: KubeObject | undefined, current: KubeObject | undefined): void {
    const kind = (current ?? previous)?.kind;
    let needsSync = false;
    if (kind === 'Service') needsSync = this.#state.applyService(previous as Service, current as Service);
    else if (kind === 'EndpointSlice') needsSync = this.#state.applySlice(previous as EndpointSlice, current as EndpointSlice);
    else if (kind === 'Node') needsSync = this.#state.applyNode(previous as Node, current as Node);
    if (needsSync) this.#batchNeedsSync = true;
  }

  #recordOriginConflict(origin: string, holder: string, id: string, object: KubeObject): void {
    const error = new InputError({
      code: 'KPROXY_CONFLICT',
      origin,
      ...describe(object),
      reason: `is already defined by ${holder}; this definition is ignored until ${holder} no longer defines it`,
    });
    this.#errors.put(errorKey('conflict', origin, id), [error]);
    this.#emitErrors([error]);
  }

  #recordClaimLosses(serviceId: string, losses: readonly ClaimLoss[]): void {
    const [namespace, name] = serviceId.split('/') as [string, string];
    const id = objectId('Service', namespace, name);
    const origin = this.#store.holderOf(id) ?? 'unknown';
    const errors = losses.map(
      (loss) =>
        new InputError({
          code: 'KPROXY_CONFLICT',
          origin,
          kind: 'Service',
          namespace,
          name,
          field: `spec.ports[${loss.claim.portIndex}]`,
          reason: `${claimText(loss.claim)} is already served by Service ${loss.winner}, which is older; this port is not served while both claim it`,
        }),
    );
    this.#emitErrors(this.#errors.put(errorKey('claim', '', serviceId), errors));
  }

  #recordSelfEndpoints(serviceId: string, endpoints: readonly SelfEndpoint[]): void {
    const namespace = serviceId.split('/')[0]!;
    const errors = endpoints.map((ep) => {
      const id = objectId('EndpointSlice', namespace, ep.slice);
      return new InputError({
        code: 'KPROXY_INVALID',
        origin: this.#store.holderOf(id) ?? 'unknown',
        kind: 'EndpointSlice',
        namespace,
        name: ep.slice,
        field: `endpoints[${ep.index}].addresses[0]`,
        reason: `got ${JSON.stringify(ep.ip)}, the ClusterIP of its own Service ${serviceId}; traffic to it would loop, so this endpoint is left out`,
      });
    });
    this.#emitErrors(this.#errors.put(errorKey('self-endpoint', '', serviceId), errors));
  }

  #emitErrors(errors: readonly InputError[]): void {
    for (const e of errors) for (const listener of this.#errorListeners) listener(e);
  }

  /** Runs `fn` and then tells the change listeners once, if anything in it needs a sync. */
  #batch(fn: () => void): void {
    this.#batchDepth++;
    try {
      fn();
    } finally {
      this.#batchDepth--;
    }
    if (this.#batchDepth === 0 && this.#batchNeedsSync) {
      this.#batchNeedsSync = false;
      for (const listener of this.#changeListeners) listener();
    }
  }
}

function describe(object: KubeObject): { kind: string; namespace?: string; name: string } {
  const { namespace, name } = object.metadata;
  return { kind: object.kind ?? 'object', ...(namespace !== undefined ? { namespace } : {}), name };
}
