// The test API server's storage: objects per resource, one cluster-wide resourceVersion counter (as etcd's
// revision), and a history of changes that watches replay from a given resourceVersion. compact() forgets
// history, after which watches from older resourceVersions get 410 Gone, as on a real server.

export type Resource = 'services' | 'endpointslices' | 'nodes';
export const RESOURCES: readonly Resource[] = ['services', 'endpointslices', 'nodes'];

export const TYPE_OF: Record<Resource, { kind: string; apiVersion: string }> = {
  services: { kind: 'Service', apiVersion: 'v1' },
  endpointslices: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1' },
  nodes: { kind: 'Node', apiVersion: 'v1' },
};

export type StoredObject = {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};

export interface Change {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: Resource;
  object: StoredObject;
}

export class ObjectStore {
  private rv = 1;
  /** Changes after this resourceVersion are all in `history`. */
  private compactedAt = 1;
  private readonly history: Change[] = [];
  private readonly objects = new Map<Resource, Map<string, StoredObject>>(RESOURCES.map((r) => [r, new Map()]));
  private readonly listeners = new Set<(c: Change) => void>();

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResumable(): number {
    return this.compactedAt;
  }

  /** Creates or replaces; returns the stored copy (with its new resourceVersion). */
  put(resource: Resource, object: StoredObject): StoredObject {
    const key = keyOf(object);
    const map = this.objects.get(resource)!;
    const type = map.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    map.set(key, stored);
    this.record({ rv: this.rv, type, resource, object: stored });
    return stored;
  }

  delete(resource: Resource, namespace: string | undefined, name: string): boolean {
    const map = this.objects.get(resource)!;
    const key = keyOf({ metadata: { name, ...(namespace ? { namespace } : {}) } });
    const old = map.get(key);
    if (!old) return false;
    map.delete(key);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type: 'DELETED', resource, object: gone });
    return true;
  }

  get(resource: Resource, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects.get(resource)!.get(keyOf({ metadata: { name, ...(namespace ? { namespace } : {}) } }));
  }

  /** Current objects of `resource` sorted by namespace/name (the order pages are cut in). */
  list(resource: Resource): StoredObject[] {
    return [...this.objects.get(resource)!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  /** Changes of `resource` after `rv`, or undefined when history no longer reaches back that far. */
  changesSince(resource: Resource, rv: number): Change[] | undefined {
    if (rv < this.compactedAt) return undefined;
    return this.history.filter((c) => c.rv > rv && c.resource === resource);
  }

  /** Forgets all history: only watches from the current resourceVersion on can resume. */
  compact(): void {
    this.history.length = 0;
    this.compactedAt = this.rv;
  }

  onChange(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(change: Change): void {
    this.history.push(change);
    for (const l of this.listeners) l(change);
  }
}

export function keyOf(o: { metadata: { name: string; namespace?: string } }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
