// sh: source hashing (ip_vs_sh). The client IP (plus the client port with the sh-port flag,
// hashSourcePort here) picks one of 256 buckets; each backend owns `weight` buckets in turn. The same
// client keeps reaching the same backend while the backend set is unchanged. Differences from IPVS: the
// address is folded by hashing its text, backends are dealt in id order (so the table depends only on
// the set), and a bucket whose backend has weight 0 always falls back (as with sh-fallback).
import { sortedById, weightOf } from './backend-weight.js';
import { BUCKET_BITS, dealBuckets, pickFromBucket, type BucketTable } from './bucket-table.js';
import { foldAddress, goldenHash } from './hashing.js';
import type { Backend, PickContext, Scheduler } from './types.js';

export class SourceHashScheduler implements Scheduler {
  readonly name = 'sh';
  private table: BucketTable = [];

  constructor(private readonly hashSourcePort: boolean) {}

  update(backends: readonly Backend[]): void {
    this.table = dealBuckets(sortedById(backends), weightOf);
  }

  pick(ctx: PickContext): Backend | undefined {
    const port = this.hashSourcePort ? ctx.clientPort : 0;
    const bucket = goldenHash(foldAddress(ctx.clientIP) + port, BUCKET_BITS);
    return pickFromBucket(this.table, bucket);
  }
}
