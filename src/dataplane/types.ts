// A mode is a pure Renderer (snapshot in, program out) plus a thin Executor that owns all kernel or socket
// I/O. Renderers never touch the system, so `kproxy render` and the benchmarks can run them without root.

import type { Snapshot } from '../model/types.js';

export type ProxyMode = 'userspace' | 'iptables' | 'nftables' | 'ipvs';
export const PROXY_MODES: readonly ProxyMode[] = ['userspace', 'iptables', 'nftables', 'ipvs'];

export interface SyncInput {
  readonly snapshot: Snapshot;
  /** The snapshot of the last successful sync; undefined on the first sync and after a failed one. */
  readonly previous: Snapshot | undefined;
  /** Rewrite everything (first sync, syncPeriod elapsed, after a failure or out-of-band damage). */
  readonly full: boolean;
}

export interface Renderer<Program> {
  render(input: SyncInput): Program;
  /** The program as its tool reads it (iptables-restore input, nft script, listener table, ...). */
  format(program: Program): string;
}

export interface ApplyResult {
  /** Service ports this apply could not serve (e.g. SCTP in userspace); the rest is in force. */
  readonly warnings: readonly string[];
}

export interface Executor<Program> {
  /**
   * Prove at start that this mode can run here (kernel features, modules, tools) and prepare what must be
   * in place before the first sync; throw a message saying what is missing. Upstream refuses to start in
   * such cases instead of retrying forever.
   */
  preflight?(): Promise<void>;
  /** Make the system match `program`. On failure, throw and leave the previously applied program in force. */
  apply(program: Program, input: SyncInput): Promise<ApplyResult>;
  /** Remove everything this mode ever installed (also what a previous process left behind). */
  cleanup(): Promise<void>;
  /** Release sockets/handles at shutdown without removing kernel state. */
  close(): Promise<void>;
  /**
   * Check every `intervalMs` that what was applied is still in the kernel (a canary chain, a generation
   * element) and call `onDamage` when someone else flushed it, so the next sync is a full one. Returns a
   * function that stops the checks. Modes without kernel state leave it out.
   */
  monitor?(intervalMs: number, onDamage: () => void): () => void;
}

export interface DataPlane<Program = unknown> {
  readonly mode: ProxyMode;
  readonly renderer: Renderer<Program>;
  readonly executor: Executor<Program>;
}
