// `kproxy status`: one entry per service port (per family) with its addresses, endpoint counts, scheduler,
// when a change to it was last applied and the input errors about its Service. The same value is what a
// running kproxy serves at /status (JSON) and what the command prints, so both sources read alike.

import type { InputError } from '../model/input-error.js';
import type { ServicePort, Snapshot } from '../model/types.js';

export interface StatusEntry {
  readonly servicePort: string;
  readonly family: string;
  readonly protocol: string;
  readonly type: string;
  /** ClusterIP:port, NodePort, externalIPs and LB ingress IPs, as "kind=address" words. */
  readonly addresses: readonly string[];
  readonly endpoints: { readonly total: number; readonly ready: number; readonly serving: number; readonly terminating: number; readonly local: number };
  readonly scheduler: string;
  /** Wall-clock ms when a change to this port was last applied; undefined when never applied (read directly). */
  readonly lastChangeApplied?: number;
  readonly errors: readonly string[];
}

export interface StatusDocument {
  readonly version: 1;
  readonly mode: string;
  /** Snapshot generation the entries describe; 0 when nothing was applied yet. */
  readonly generation: number;
  readonly lastAppliedAt?: number;
  readonly servicePorts: readonly StatusEntry[];
  /** Input errors that belong to no listed port (rejected Services, broken files). */
  readonly otherErrors: readonly string[];
}

/** Remembers, per service port key, when a change to it was last applied. */
export class AppliedChanges {
  readonly #at = new Map<string, number>();
  #snapshot: Snapshot | undefined;
  #lastAt: number | undefined;

  record(snapshot: Snapshot, atMs: number): void {
    const first = this.#snapshot === undefined;
    for (const key of first ? allKeys(snapshot) : snapshot.changed) this.#at.set(key, atMs);
    this.#snapshot = snapshot;
    this.#lastAt = atMs;
  }
  snapshot(): Snapshot | undefined {
    return this.#snapshot;
  }
  lastAt(): number | undefined {
    return this.#lastAt;
  }
  at(key: string): number | undefined {
    return this.#at.get(key);
  }
}

function allKeys(snapshot: Snapshot): string[] {
  return [...snapshot.families.IPv4.servicePorts.keys(), ...snapshot.families.IPv6.servicePorts.keys()];
}

/**
 * `sliceService` names the Service an EndpointSlice belongs to, when the raw slices are at hand (read
 * directly); then a slice's errors show on its Service's lines too. A running proxy keeps no raw objects,
 * so there they are listed with the other errors.
 */
export function statusDocument(
  mode: string,
  snapshot: Snapshot | undefined,
  errors: readonly InputError[],
  applied?: AppliedChanges,
  sliceService?: (namespace: string, slice: string) => string | undefined,
): StatusDocument {
  const ports = snapshot ? [...snapshot.families.IPv4.servicePorts.values(), ...snapshot.families.IPv6.servicePorts.values()] : [];
  const claimed = new Set<InputError>();
  const entries = ports.map((sp) => {
    const own = errors.filter((e) => {
      const d = e.details;
      if ((d.namespace ?? 'default') !== sp.namespace || d.name === undefined) return false;
      return d.kind === 'Service' ? d.name === sp.name : d.kind === 'EndpointSlice' && sliceService?.(sp.namespace, d.name) === sp.name;
    });
    own.forEach((e) => claimed.add(e));
    const at = applied?.at(sp.key);
    return { ...entryFor(sp, own.map((e) => e.message)), ...(at !== undefined ? { lastChangeApplied: at } : {}) };
  });
  const lastAt = applied?.lastAt();
  return {
    version: 1,
    mode,
    generation: snapshot?.generation ?? 0,
    ...(lastAt !== undefined ? { lastAppliedAt: lastAt } : {}),
    servicePorts: entries,
    otherErrors: errors.filter((e) => !claimed.has(e)).map((e) => e.message),
  };
}

function entryFor(sp: ServicePort, errors: string[]): StatusEntry {
  const hp = (ip: string) => (ip.includes(':') ? `[${ip}]:${sp.port}` : `${ip}:${sp.port}`);
  const addresses = [
    ...(sp.clusterIP ? [`cluster=${hp(sp.clusterIP)}`] : []),
    ...(sp.nodePort ? [`nodeport=${sp.nodePort}`] : []),
    ...sp.externalIPs.map((ip) => `external=${hp(ip)}`),
    ...sp.loadBalancerIPs.map((lb) => `lb=${hp(lb.ip)}${lb.ipMode === 'Proxy' ? '(Proxy)' : ''}`),
  ];
  const eps = sp.endpoints;
  return {
    servicePort: sp.key,
    family: sp.family,
    protocol: sp.protocol,
    type: sp.type,
    addresses,
    endpoints: {
      total: eps.length,
      ready: eps.filter((e) => e.ready).length,
      serving: eps.filter((e) => e.serving).length,
      terminating: eps.filter((e) => e.terminating).length,
      local: eps.filter((e) => e.isLocal).length,
    },
    scheduler: sp.scheduler,
    errors,
  };
}

/** One line per service port, then the errors no port owns. */
export function statusText(doc: StatusDocument): string {
  const lines = doc.servicePorts.map((e) => {
    const n = e.endpoints;
    const applied = e.lastChangeApplied === undefined ? 'not applied (read directly)' : `applied ${new Date(e.lastChangeApplied).toISOString()}`;
    const errs = e.errors.length > 0 ? ` errors: ${e.errors.join(' | ')}` : '';
    return `${e.servicePort} ${e.family} ${e.protocol} ${e.type} ${e.addresses.join(' ')} endpoints ready=${n.ready}/${n.total} serving=${n.serving} terminating=${n.terminating} local=${n.local} scheduler=${e.scheduler} ${applied}${errs}`;
  });
  if (doc.servicePorts.length === 0) lines.push('no service ports');
  for (const e of doc.otherErrors) lines.push(`error: ${e}`);
  return `${lines.join('\n')}\n`;
}
