// Read-only Map and Set for snapshots. Object.freeze does not stop Map.prototype.set, so a snapshot
// hands out wrappers that have no mutating methods at all: a renderer cannot change what another
// renderer (or the next diff) will see, not even through a cast.

export class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #entries: Map<K, V>;

  /** Takes ownership of `entries`: the caller must not keep using it. */
  constructor(entries: Map<K, V>) {
    this.#entries = entries;
    Object.freeze(this);
  }

  get size(): number {
    return this.#entries.size;
  }
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  has(key: K): boolean {
    return this.#entries.has(key);
  }
  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#entries) fn.call(thisArg, v, k, this);
  }
  entries(): MapIterator<[K, V]> {
    return this.#entries.entries();
  }
  keys(): MapIterator<K> {
    return this.#entries.keys();
  }
  values(): MapIterator<V> {
    return this.#entries.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#entries[Symbol.iterator]();
  }
}

export class FrozenSet<T> implements ReadonlySet<T> {
  readonly #items: Set<T>;

  /** Takes ownership of `items`: the caller must not keep using it. */
  constructor(items: Set<T>) {
    this.#items = items;
    Object.freeze(this);
  }

  get size(): number {
    return this.#items.size;
  }
  has(value: T): boolean {
    return this.#items.has(value);
  }
  forEach(fn: (value: T, value2: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    for (const v of this.#items) fn.call(thisArg, v, v, this);
  }
  entries(): SetIterator<[T, T]> {
    return this.#items.entries();
  }
  keys(): SetIterator<T> {
    return this.#items.keys();
  }
  values(): SetIterator<T> {
    return this.#items.values();
  }
  [Symbol.iterator](): SetIterator<T> {
    return this.#items[Symbol.iterator]();
  }
}
