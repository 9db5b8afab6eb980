// One reading of Backend.weight for every scheduler: IPVS weights are non-negative integers, so anything
// else (fractions, negatives, NaN from a bad annotation) is truncated or treated as 0 the same way
// everywhere, and "can take new connections" means the same thing in every algorithm.
import type { Backend } from './types.js';

export function weightOf(backend: Backend): number {
  const w = Math.trunc(backend.weight);
  return Number.isFinite(w) && w > 0 ? w : 0;
}

/** Weight 0 means draining (graceful termination): kept for existing connections, never picked. */
export function isAvailable(backend: Backend): boolean {
  return weightOf(backend) > 0;
}

export function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Backends sorted by id, so hash tables depend on the set of backends only, not on update() order. */
export function sortedById(backends: readonly Backend[]): Backend[] {
  return [...backends].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
