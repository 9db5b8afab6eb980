// rr and wrr walk the backend list with a cursor. When the list changes the cursor must keep its place
// (IPVS moves its mark off a deleted server rather than back to the head), otherwise every endpoint change
// would send the next connections to the first backend again and skew the load.
import type { Backend } from './types.js';

/** Position of the last pick in `list`; -1 means "before the first" (the list head). */
export type Cursor = number;

/**
 * Where `cursor` (into `before`) lands in `after`: on the same backend if it survived, else just before
 * the first surviving backend that followed it, so that backend is the next one considered.
 */
export function carryCursor(before: readonly Backend[], cursor: Cursor, after: readonly Backend[]): Cursor {
  if (cursor < 0 || before.length === 0 || after.length === 0) return -1;
  const indexAfter = new Map(after.map((b, i) => [b.id, i]));
  const same = indexAfter.get(before[cursor]!.id);
  if (same !== undefined) return same;
  for (let step = 1; step < before.length; step++) {
    const next = indexAfter.get(before[(cursor + step) % before.length]!.id);
    if (next !== undefined) return next - 1;
  }
  // Nothing that followed survived: every backend is new, start from the head.
  return -1;
}
