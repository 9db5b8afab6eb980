// A SourceSink that records every call and keeps the resulting state per origin, so tests can check both
// what the source said (no deletes during an outage) and what the sink ends up believing.

import type { InputError } from '../../src/model/input-error.js';
import type { KubeObject, ObjectKind } from '../../src/model/objects.js';
import type { SourceSink } from '../../src/sources/types.js';

export type SinkCall =
  | { op: 'replace'; origin: string; count: number }
  | { op: 'upsert'; origin: string; key: string }
  | { op: 'remove'; origin: string; key: string }
  | { op: 'synced'; source: string };

export class RecordingSink implements SourceSink {
  readonly calls: SinkCall[] = [];
  readonly errors: InputError[] = [];
  /** origin -> "Kind ns/name" -> object */
  readonly state = new Map<string, Map<string, KubeObject>>();
  readonly syncedSources = new Set<string>();
  private waiters: (() => void)[] = [];

  replace(origin: string, objects: readonly KubeObject[]): void {
    this.calls.push({ op: 'replace', origin, count: objects.length });
    this.state.set(origin, new Map(objects.map((o) => [keyOf(o.kind!, o.metadata.namespace, o.metadata.name), o])));
    this.wake();
  }
  upsert(origin: string, object: KubeObject): void {
    const key = keyOf(object.kind!, object.metadata.namespace, object.metadata.name);
    this.calls.push({ op: 'upsert', origin, key });
    this.originMap(origin).set(key, object);
    this.wake();
  }
  remove(origin: string, kind: ObjectKind, namespace: string | undefined, name: string): void {
    const key = keyOf(kind, namespace, name);
    this.calls.push({ op: 'remove', origin, key });
    this.originMap(origin).delete(key);
    this.wake();
  }
  reportError(error: InputError): void {
    this.errors.push(error);
  }
  synced(source: string): void {
    this.calls.push({ op: 'synced', source });
    this.syncedSources.add(source);
    this.wake();
  }

  keys(origin: string): string[] {
    return [...(this.state.get(origin)?.keys() ?? [])].sort();
  }

  get(origin: string, key: string): KubeObject | undefined {
    return this.state.get(origin)?.get(key);
  }

  /** Resolves once `predicate` holds (checked after every call); rejects after `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for: ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  private originMap(origin: string): Map<string, KubeObject> {
    let m = this.state.get(origin);
    if (!m) this.state.set(origin, (m = new Map()));
    return m;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
