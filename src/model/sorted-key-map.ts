// An immutable map from string keys, iterating in key order, that shares structure between versions.
// Snapshots need a sorted map per family and a new version per sync; copying a 30,000-entry Map per
// endpoint change costs milliseconds, so entries live in small sorted chunks and a new version copies
// only the list of chunks and the chunks that changed.

interface Chunk<V> {
  readonly keys: readonly string[];
  readonly values: readonly V[];
}

/** Entries per chunk when (re)building; a chunk is split when it grows past twice this. */
const CHUNK = 128;

function binarySearch(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as string;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

function makeChunks<V>(keys: string[], values: V[]): Chunk<V>[] {
  const chunks: Chunk<V>[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    chunks.push(Object.freeze({ keys: Object.freeze(keys.slice(i, i + CHUNK)), values: Object.freeze(values.slice(i, i + CHUNK)) }));
  }
  return chunks;
}

export class SortedKeyMap<V> implements ReadonlyMap<string, V> {
  readonly #chunks: readonly Chunk<V>[];
  readonly size: number;

  private constructor(chunks: readonly Chunk<V>[], size: number) {
    this.#chunks = Object.freeze(chunks);
    this.size = size;
    Object.freeze(this);
  }

  static empty<V>(): SortedKeyMap<V> {
    return new SortedKeyMap<V>([], 0);
  }

  /** The index of the chunk that holds (or would hold) `key`. */
  #chunkIndex(key: string): number {
    let lo = 0;
    let hi = this.#chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.#chunks[mid] as Chunk<V>).keys[0] as string <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get(key: string): V | undefined {
    const chunk = this.#chunks[this.#chunkIndex(key)];
    if (!chunk) return undefined;
    const at = binarySearch(chunk.keys, key);
    return at >= 0 ? chunk.values[at] : undefined;
  }

  has(key: string): boolean {
    const chunk = this.#chunks[this.#chunkIndex(key)];
    return chunk !== undefined && binarySearch(chunk.keys, key) >= 0;
  }

  /** A new version with `updates` applied (null deletes); unchanged chunks are shared. */
  withUpdates(updates: ReadonlyMap<string, V | null>): SortedKeyMap<V> {
    if (updates.size === 0) return this;
    const byChunk = new Map<number, string[]>();
    for (const key of updates.keys()) {
      const index = this.#chunks.length === 0 ? 0 : this.#chunkIndex(key);
      const list = byChunk.get(index);
      if (list) list.push(key);
      else byChunk.set(index, [key]);
    }
    const chunks: (Chunk<V>[] | Chunk<V>)[] = [...this.#chunks];
    let size = this.size;
    for (const [index, keys] of byChunk) {
      const merged = mergeChunk(this.#chunks[index], keys.sort(), updates);
      size += merged.keys.length - (this.#chunks[index]?.keys.length ?? 0);
      chunks[index] = merged.keys.length > 2 * CHUNK ? makeChunks(merged.keys, merged.values) : merged.keys.length === 0 ? [] : [freezeChunk(merged)];
    }
    const flat = chunks.flat();
    // Deletions can leave many small chunks; rebuild evenly once they double the chunk count.
    if (flat.length > 4 + (2 * size) / CHUNK) return SortedKeyMap.fromSorted(entriesOf(flat));
    return new SortedKeyMap(flat, size);
  }

  /** Entries must be sorted by key without duplicates. */
  static fromSorted<V>(entries: Iterable<readonly [string, V]>): SortedKeyMap<V> {
    const keys: string[] = [];
    const values: V[] = [];
    for (const [k, v] of entries) {
      keys.push(k);
      values.push(v);
    }
    return new SortedKeyMap(makeChunks(keys, values), keys.length);
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }
  entries(): MapIterator<[string, V]> {
    return entriesOf(this.#chunks);
  }
  keys(): MapIterator<string> {
    return keysOf(this.#chunks);
  }
  values(): MapIterator<V> {
    return valuesOf(this.#chunks);
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return entriesOf(this.#chunks);
  }
}

function freezeChunk<V>(c: { keys: string[]; values: V[] }): Chunk<V> {
  return Object.freeze({ keys: Object.freeze(c.keys), values: Object.freeze(c.values) });
}

function mergeChunk<V>(chunk: Chunk<V> | undefined, sortedKeys: string[], updates: ReadonlyMap<string, V | null>) {
  const keys: string[] = [];
  const values: V[] = [];
  const old = chunk ?? { keys: [], values: [] };
  let i = 0;
  let j = 0;
  while (i < old.keys.length || j < sortedKeys.length) {
    const oldKey = old.keys[i];
    const newKey = sortedKeys[j];
    if (newKey === undefined || (oldKey !== undefined && oldKey < newKey)) {
      keys.push(oldKey as string);
      values.push(old.values[i++] as V);
      continue;
    }
    if (oldKey === newKey) i++;
    j++;
    const value = updates.get(newKey);
    if (value !== null && value !== undefined) {
      keys.push(newKey);
      values.push(value);
    }
  }
  return { keys, values };
}

function* entriesOf<V>(chunks: readonly Chunk<V>[]): MapIterator<[string, V]> {
  for (const c of chunks) for (let i = 0; i < c.keys.length; i++) yield [c.keys[i] as string, c.values[i] as V];
}
function* keysOf<V>(chunks: readonly Chunk<V>[]): MapIterator<string> {
  for (const c of chunks) yield* c.keys;
}
function* valuesOf<V>(chunks: readonly Chunk<V>[]): MapIterator<V> {
  for (const c of chunks) yield* c.values;
}
