// The Services, EndpointSlices and own Node in force, what changed since the last snapshot, and the
// snapshot build itself. Only dirty Services are recomputed; every other ServicePort object is carried
// over from the previous snapshot, and a recomputed port equal to its predecessor keeps the old object.

import { deepEqual } from './deep-equal.js';
import { FrozenMap, FrozenSet } from './frozen-collections.js';
import { nodeInfoFrom } from './node-info.js';
import { LABEL_SERVICE_NAME, LABEL_ZONE, type EndpointSlice, type Node, type Service } from './objects.js';
import { PortClaims, type ClaimLoss, type ServiceRank } from './port-claims.js';
import { canonicalIP, clusterIPForFamily, skipReason } from './service-filter.js';
import { buildServicePorts, portClaims, type PortBuildContext } from './service-ports.js';
import { needsUDPCleanup, reconcilePorts } from './port-diff.js';
import { SortedKeyMap } from './sorted-key-map.js';
import type { SelectionOptions } from './endpoint-selector.js';
import type { FamilySnapshot, IPFamily, NodeInfo, ServicePort, ServicePortKey, Snapshot } from './types.js';

export interface ServiceStateOptions {
  hostname: string;
  defaultScheduler: string;
  serviceProxyName: string;
  families: readonly IPFamily[];
  /** Feature behaviour for endpoint selection (node and labels are filled in from the own Node). */
  selection: Pick<SelectionOptions, 'preferSameNode' | 'requireTopologyOptIn'>;
  /** Trigger times before this (ms) predate the process and would inflate programming latency. */
  startTime: number;
  /** Called when the claims Service `id` loses to older Services change (empty: it loses none). */
  onClaimLosses: (id: string, losses: readonly ClaimLoss[]) => void;
  /** Called when the endpoints left out of Service `id` for being its own ClusterIP change (empty: none). */
  onSelfEndpoints: (id: string, endpoints: readonly SelfEndpoint[]) => void;
}

/** An endpoint whose address is the ClusterIP of its own Service: traffic to it would loop back. */
export interface SelfEndpoint {
  readonly slice: string;
  readonly index: number;
  readonly ip: string;
}

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
const ALL_FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

function serviceId(namespace: string | undefined, name: string): string {
  return `${namespace ?? 'default'}/${name}`;
}

function emptyFamily(family: IPFamily): FamilySnapshot {
  return Object.freeze({ family, servicePorts: SortedKeyMap.empty<ServicePort>() });
}

export class ServiceState {
  readonly #services = new Map<string, Service>();
  /** Slices per Service id, by slice name. FQDN slices and slices without a Service label are not kept. */
  readonly #slices = new Map<string, Map<string, EndpointSlice>>();
  readonly #claims = new PortClaims();
  /** Services that currently lose a claim (so a resolved conflict is reported as resolved). */
  readonly #losing = new Set<string>();
  /** Services with endpoints left out for being their own ClusterIP (reported as resolved when gone). */
  readonly #selfEndpoints = new Set<string>();
  #node: NodeInfo;
  #allDirty = true;
  readonly #dirty = new Set<string>();
  readonly #pendingServices = new Set<string>();
  readonly #pendingEndpoints = new Set<string>();
  readonly #triggerTimes = new Map<string, number>();
  /** The ports each Service has in the last snapshot (both families). */
  readonly #ports = new Map<string, readonly ServicePort[]>();
  #last: Snapshot | undefined;

  constructor(private readonly opts: ServiceStateOptions) {
    this.#node = nodeInfoFrom(undefined, opts.hostname);
  }

  node(): NodeInfo {
    return this.#node;
  }
  pendingServiceChanges(): number {
    return this.#pendingServices.size;
  }
  pendingEndpointChanges(): number {
    return this.#pendingEndpoints.size;
  }

  #proxied(id: string): boolean {
    const svc = this.#services.get(id);
    return svc !== undefined && skipReason(svc, this.opts.serviceProxyName) === undefined;
  }

  /** Returns whether the change needs a sync. */
  applyService(previous: Service | undefined, current: Service | undefined): boolean {
    const meta = (current ?? previous)?.metadata;
    if (!meta) return false;
    const id = serviceId(meta.namespace, meta.name);
    const wasProxied = this.#proxied(id);
    if (current) this.#services.set(id, current);
    else this.#services.delete(id);
    const isProxied = this.#proxied(id);
    const affected = isProxied
      ? this.#claims.set(this.#rank(id, current as Service), portClaims(current as Service, this.opts.families))
      : this.#claims.delete(id);
    this.#refreshLosses(id);
    for (const other of affected) {
      this.#refreshLosses(other);
      this.#dirty.add(other);
    }
    if (!wasProxied && !isProxied) return false;
    this.#dirty.add(id);
    this.#pendingServices.add(id);
    return true;
  }

  #refreshLosses(id: string): void {
    const losses = this.#claims.losses(id);
    if (losses.length === 0 && !this.#losing.has(id)) return;
    if (losses.length > 0) this.#losing.add(id);
    else this.#losing.delete(id);
    this.opts.onClaimLosses(id, losses);
  }

  #rank(id: string, svc: Service): ServiceRank {
    const created = svc.metadata.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) : NaN;
    return { created: Number.isNaN(created) ? Infinity : created, id };
  }

  applySlice(previous: EndpointSlice | undefined, current: EndpointSlice | undefined): boolean {
    let needsSync = false;
    const before = previous && this.#sliceOwner(previous);
    if (before) {
      this.#slices.get(before)?.delete(previous.metadata.name);
      if (this.#slices.get(before)?.size === 0) this.#slices.delete(before);
      this.#triggerTimes.delete(before);
      needsSync = this.#endpointsChanged(before) || needsSync;
    }
    const after = current && this.#sliceOwner(current);
    if (after) {
      let slices = this.#slices.get(after);
      if (!slices) this.#slices.set(after, (slices = new Map()));
      slices.set(current.metadata.name, current);
      this.#recordTriggerTime(after, current);
      needsSync = this.#endpointsChanged(after) || needsSync;
    }
    return needsSync;
  }

  #sliceOwner(slice: EndpointSlice): string | undefined {
    const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!service || slice.addressType === 'FQDN') return undefined;
    return serviceId(slice.metadata.namespace, service);
  }

  #endpointsChanged(id: string): boolean {
    if (!this.#proxied(id)) return false;
    this.#dirty.add(id);
    this.#pendingEndpoints.add(id);
    return true;
  }

  #recordTriggerTime(id: string, slice: EndpointSlice): void {
    const text = slice.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
    const time = text ? Date.parse(text) : NaN;
    if (Number.isNaN(time) || time < this.opts.startTime) return;
    const known = this.#triggerTimes.get(id);
    if (known === undefined || time < known) this.#triggerTimes.set(id, time);
  }

  /** Only the Node named like this host matters; its zone label steers topology-aware routing. */
  applyNode(previous: Node | undefined, current: Node | undefined): boolean {
    const name = (current ?? previous)?.metadata.name;
    if (name !== this.opts.hostname) return false;
    const next = nodeInfoFrom(current, this.opts.hostname);
    if (deepEqual(next, this.#node)) return false;
    if (next.labels[LABEL_ZONE] !== this.#node.labels[LABEL_ZONE]) this.#allDirty = true;
    this.#node = next;
    return true;
  }

  /** Builds the next snapshot and forgets the pending changes. */
  build(): Snapshot {
    const ids = this.#allDirty ? new Set([...this.#services.keys(), ...this.#ports.keys()]) : this.#dirty;
    const updates = { IPv4: new Map<ServicePortKey, ServicePort | null>(), IPv6: new Map<ServicePortKey, ServicePort | null>() };
    const changed = new Set<ServicePortKey>();
    const staleUDP = new Set<ServicePortKey>();
    const ctx: PortBuildContext = {
      hostname: this.opts.hostname,
      defaultScheduler: this.opts.defaultScheduler,
      selection: { ...this.opts.selection, nodeName: this.opts.hostname, nodeLabels: this.#node.labels },
    };
    for (const id of ids) {
      const previous = this.#ports.get(id) ?? [];
      const kept = reconcilePorts(previous, this.#computePorts(id, ctx), (key, family, old, port) => {
        updates[family].set(key, port ?? null);
        changed.add(key);
        if (needsUDPCleanup(old, port)) staleUDP.add(key);
      });
      if (kept.length > 0) this.#ports.set(id, kept);
      else this.#ports.delete(id);
    }
    const snapshot = this.#assemble(updates, changed, staleUDP);
    this.#dirty.clear();
    this.#allDirty = false;
    this.#pendingServices.clear();
    this.#pendingEndpoints.clear();
    this.#triggerTimes.clear();
    this.#last = snapshot;
    return snapshot;
  }

  #computePorts(id: string, ctx: PortBuildContext): ServicePort[] {
    const svc = this.#services.get(id);
    if (!svc || skipReason(svc, this.opts.serviceProxyName) !== undefined) {
      if (this.#selfEndpoints.delete(id)) this.opts.onSelfEndpoints(id, []);
      return [];
    }
    const slices = this.#withoutSelfEndpoints(id, svc, [...(this.#slices.get(id)?.values() ?? [])]);
    if (slices.length > 1) slices.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    const losses = this.#claims.losses(id);
    const ports: ServicePort[] = [];
    for (const family of this.opts.families) {
      for (const port of buildServicePorts(svc, slices, family, ctx)) {
        if (!losses.some((l) => l.claim.family === family && l.claim.portKey === port.key)) ports.push(port);
      }
    }
    return ports;
  }

  /** The slices with every endpoint whose address is one of the Service's ClusterIPs left out (and reported). */
  #withoutSelfEndpoints(id: string, svc: Service, slices: EndpointSlice[]): EndpointSlice[] {
    const clusterIPs = new Set(ALL_FAMILIES.map((f) => clusterIPForFamily(svc, f)).filter((ip) => ip !== ''));
    const found: SelfEndpoint[] = [];
    const kept = slices.map((slice) => {
      const endpoints = slice.endpoints ?? [];
      const bad = endpoints.flatMap((ep, index) => (clusterIPs.has(canonicalIP(ep.addresses[0] ?? '')) ? [{ slice: slice.metadata.name, index, ip: ep.addresses[0]! }] : []));
      if (bad.length === 0) return slice;
      found.push(...bad);
      return { ...slice, endpoints: endpoints.filter((_, i) => !bad.some((b) => b.index === i)) };
    });
    if (found.length > 0 || this.#selfEndpoints.has(id)) {
      if (found.length > 0) this.#selfEndpoints.add(id);
      else this.#selfEndpoints.delete(id);
      this.opts.onSelfEndpoints(id, found);
    }
    return kept;
  }

  #assemble(
    updates: Record<IPFamily, Map<ServicePortKey, ServicePort | null>>,
    changed: Set<ServicePortKey>,
    staleUDP: Set<ServicePortKey>,
  ): Snapshot {
    const last = this.#last;
    const families = {} as Record<IPFamily, FamilySnapshot>;
    for (const family of ALL_FAMILIES) {
      const before = last?.families[family] ?? emptyFamily(family);
      families[family] =
        updates[family].size === 0
          ? before
          : Object.freeze({ family, servicePorts: (before.servicePorts as SortedKeyMap<ServicePort>).withUpdates(updates[family]) });
    }
    const triggerTimes = new Map<ServicePortKey, number>();
    for (const [id, time] of this.#triggerTimes) {
      for (const port of this.#ports.get(id) ?? []) {
        const known = triggerTimes.get(port.key);
        if (known === undefined || time < known) triggerTimes.set(port.key, time);
      }
    }
    return Object.freeze({
      generation: (last?.generation ?? 0) + 1,
      node: this.#node,
      families: Object.freeze(families),
      changed: new FrozenSet(changed),
      staleUDP: new FrozenSet(staleUDP),
      triggerTimes: new FrozenMap(triggerTimes),
    });
  }
}
