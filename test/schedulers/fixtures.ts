// Shared test data for the scheduler tests: backends, pick contexts and a seeded random source.
import type { Backend, PickContext } from '../../src/schedulers/types.js';

export function backend(ip: string, weight = 1, port = 8080): Backend {
  return { id: `${ip}:${port}`, ip, port, weight };
}

/** n backends 10.1.0.1 .. 10.1.0.n with the given weights (default 1). */
export function backends(n: number, weights: readonly number[] = []): Backend[] {
  return Array.from({ length: n }, (_, i) => backend(`10.1.0.${i + 1}`, weights[i] ?? 1));
}

export function ctx(clientIP = '192.168.0.1', clientPort = 40000, destinationIP = '10.96.0.10'): PickContext {
  return { clientIP, clientPort, destinationIP };
}

/** A deterministic PRNG in [0, 1) (mulberry32), so distribution tests cannot flake. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th of many distinct client addresses, spread over a /16. */
export function clientIP(i: number): string {
  return `172.16.${(i >> 8) & 255}.${i & 255}`;
}

/** Picks `n` times with varying client/destination and returns the ids, in order. */
export function pickIds(pick: (c: PickContext) => Backend | undefined, n: number): (string | undefined)[] {
  return Array.from({ length: n }, (_, i) => pick(ctx(clientIP(i), 30000 + i, `10.96.${(i >> 8) & 255}.${i & 255}`))?.id);
}
