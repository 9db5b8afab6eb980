// Maglev lookup-table population (ip_vs_mh, after Eisenbud et al., NSDI 2016, section 3.4). Each backend
// gets a preference order over the M slots of a prime-sized table: start at `offset`, step by `skip`, both
// from hashes of the backend's address and port. Backends take turns claiming their next free preferred
// slot until every slot is owned. Because each backend's order is fixed by its own address, removing one
// backend mostly frees its own slots and leaves the rest where they were.
import { greatestCommonDivisor } from './backend-weight.js';
import { foldAddress, hashWord, MH_OFFSET_KEY, MH_SKIP_KEY } from './hashing.js';
import type { Backend } from './types.js';

/** The table sizes the kernel allows (primes); kproxy uses the kernel's default, 4093. */
export const MAGLEV_TABLE_SIZES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
export const DEFAULT_MAGLEV_TABLE_SIZE = 4093;
/** The kernel scales weights down so that weight/gcd needs at most this many bits (IP_VS_MH_TAB_BITS). */
const TURN_BITS = 6;

export interface WeightedBackend {
  readonly backend: Backend;
  /** The weight that decides how many slots the backend claims per turn. */
  readonly weight: number;
}

/** One preference order; the hash of the backend's address plus its port, as the kernel keys it. */
function preference(backend: Backend, size: number): { offset: number; skip: number } {
  const key = (foldAddress(backend.ip) + backend.port) >>> 0;
  return {
    offset: hashWord(key, MH_OFFSET_KEY) % size,
    skip: (hashWord(key, MH_SKIP_KEY) % (size - 1)) + 1,
  };
}

/** Slots claimed per turn: weight/gcd, shifted right so the largest needs at most TURN_BITS bits. */
function turnsPerBackend(weights: readonly number[]): number[] {
  const gcd = weights.reduce((g, w) => (w > 0 ? greatestCommonDivisor(w, g) : g), 0);
  if (gcd === 0) return weights.map(() => 0);
  const maxScaled = Math.floor(weights.reduce((max, w) => Math.max(max, w), 0) / gcd);
  // 32 - clz32(x) is the kernel's fls(x): the number of bits x occupies.
  const shift = Math.max(0, 32 - Math.clz32(maxScaled) - TURN_BITS);
  return weights.map((w) => (Math.floor(w / gcd) >> shift) || (w !== 0 ? 1 : 0));
}

/** The lookup table: slot -> backend. Empty when no backend has a weight above 0. */
export function populateMaglevTable(entries: readonly WeightedBackend[], size: number): Backend[] {
  const turns = turnsPerBackend(entries.map((e) => e.weight));
  if (!turns.some((t) => t > 0)) return [];
  const prefs = entries.map((e) => preference(e.backend, size));
  const next = prefs.map((p) => p.offset);
  const table = new Array<Backend>(size);
  const taken = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < entries.length && filled < size; i++) {
      for (let turn = 0; turn < turns[i]! && filled < size; turn++) {
        let slot = next[i]!;
        while (taken[slot]) slot = (slot + prefs[i]!.skip) % size;
        next[i] = slot;
        taken[slot] = 1;
        table[slot] = entries[i]!.backend;
        filled++;
      }
    }
  }
  return table;
}
