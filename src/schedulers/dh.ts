// dh: destination hashing (ip_vs_dh). The address the client connected to picks one of 256 buckets,
// dealt one per backend in turn (weights are ignored, as in the kernel). Meant for cache farms where the
// destination decides the server. Differences from IPVS: the address is folded by hashing its text (the
// kernel's multiply keeps only the last octet's bits), backends are dealt in id order, and a bucket whose
// backend has weight 0 falls back to the next available one instead of refusing.
import { sortedById } from './backend-weight.js';
import { BUCKET_BITS, dealBuckets, pickFromBucket, type BucketTable } from './bucket-table.js';
import { foldAddress, goldenHash } from './hashing.js';
import type { Backend, PickContext, Scheduler } from './types.js';

export class DestinationHashScheduler implements Scheduler {
  readonly name = 'dh';
  private table: BucketTable = [];

  update(backends: readonly Backend[]): void {
    this.table = dealBuckets(sortedById(backends), () => 1);
  }

  pick(ctx: PickContext): Backend | undefined {
    return pickFromBucket(this.table, goldenHash(foldAddress(ctx.destinationIP), BUCKET_BITS));
  }
}
