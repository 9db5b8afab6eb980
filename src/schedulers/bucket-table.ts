// The 256-bucket table sh and dh share (ip_vs_sh / ip_vs_dh): buckets are dealt to the backends in turn,
// each backend taking `share` consecutive buckets before the next one gets any, until all 256 are dealt.
// A key hashes to a bucket. The kernel returns no server when that bucket's backend has weight 0 unless
// the service has the sh-fallback flag; a proxy that refuses the connection helps no one, so kproxy always
// falls back: it walks on from that bucket to the first backend that can take connections.
import { isAvailable } from './backend-weight.js';
import type { Backend } from './types.js';

export const BUCKET_BITS = 8;
export const BUCKET_COUNT = 1 << BUCKET_BITS;

export type BucketTable = readonly Backend[];

/** Deals the buckets; `share` of 0 still takes one bucket, as in the kernel. Empty when no backends. */
export function dealBuckets(backends: readonly Backend[], share: (backend: Backend) => number): BucketTable {
  if (backends.length === 0) return [];
  const table: Backend[] = [];
  let index = 0;
  let taken = 0;
  while (table.length < BUCKET_COUNT) {
    const backend = backends[index]!;
    table.push(backend);
    if (++taken >= share(backend)) {
      index = (index + 1) % backends.length;
      taken = 0;
    }
  }
  return table;
}

/** The backend of `bucket`, or of the first bucket after it whose backend can take connections. */
export function pickFromBucket(table: BucketTable, bucket: number): Backend | undefined {
  for (let step = 0; step < table.length; step++) {
    const backend = table[(bucket + step) % table.length]!;
    if (isAvailable(backend)) return backend;
  }
  return undefined;
}
