// A SourceSink that passes everything on to the model and keeps the raw objects it saw, so `explain` can
// say what the model's snapshot no longer shows: a Service the model rejected (and which destination it
// would have claimed), and EndpointSlice endpoints left out for the wrong family or a missing port.

import type { InputError } from '../model/input-error.js';
import type { EndpointSlice, KubeObject, ObjectKind, Service } from '../model/objects.js';
import { LABEL_SERVICE_NAME } from '../model/objects.js';
import type { SourceSink } from '../model/source-sink.js';

export class RecordingSink implements SourceSink {
  readonly #next: SourceSink;
  /** origin → id → raw object (ids as kind/namespace/name; raw objects may be invalid). */
  readonly #byOrigin = new Map<string, Map<string, KubeObject>>();

  constructor(next: SourceSink) {
    this.#next = next;
  }

  replace(origin: string, objects: readonly KubeObject[]): void {
    const kept = new Map<string, KubeObject>();
    for (const o of objects) kept.set(rawId(o), o);
    this.#byOrigin.set(origin, kept);
    this.#next.replace(origin, objects);
  }
  upsert(origin: string, object: KubeObject): void {
    const kept = this.#byOrigin.get(origin) ?? new Map<string, KubeObject>();
    kept.set(rawId(object), object);
    this.#byOrigin.set(origin, kept);
    this.#next.upsert(origin, object);
  }
  remove(origin: string, kind: ObjectKind, namespace: string | undefined, name: string): void {
    this.#byOrigin.get(origin)?.delete(`${kind}/${namespace ?? 'default'}/${name}`);
    this.#next.remove(origin, kind, namespace, name);
  }
  reportError(error: InputError): void {
    this.#next.reportError(error);
  }
  synced(source: string): void {
    this.#next.synced(source);
  }

  services(): Service[] {
    return this.#all().filter((o): o is Service => o?.kind === 'Service' && isObject(o.metadata) && isObject(o.spec));
  }

  /** The EndpointSlices labelled for Service namespace/name. */
  slicesOf(namespace: string, name: string): EndpointSlice[] {
    return this.#all()
      .filter((o): o is EndpointSlice => o?.kind === 'EndpointSlice' && isObject(o.metadata))
      .filter((s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === name)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  /** The Service an EndpointSlice is labelled for, if the slice was seen. */
  serviceOfSlice(namespace: string, slice: string): string | undefined {
    const found = this.#all().find((o) => o?.kind === 'EndpointSlice' && isObject(o.metadata) && o.metadata.name === slice && (o.metadata.namespace ?? 'default') === namespace);
    return found?.metadata.labels?.[LABEL_SERVICE_NAME];
  }

  #all(): KubeObject[] {
    return [...this.#byOrigin.values()].flatMap((m) => [...m.values()]);
  }
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function rawId(o: KubeObject): string {
  const meta = isObject(o?.metadata) ? o.metadata : { name: '', namespace: undefined };
  return `${String(o?.kind)}/${meta.namespace ?? 'default'}/${String(meta.name)}`;
}
