// The contract between the shared front half (src/proxier/) and a mode (src/dataplane/<mode>/). A mode is
// a pure Renderer (snapshot in, program out) plus an Executor that owns all kernel or socket I/O. Renderers
// never touch the system, so `kproxy render` and the benchmarks can run them without root.
//
// Who does what, in every mode:
// - The front half (Proxier) decides when to sync and whether the sync is full; builds the frozen snapshot;
//   passes `previous` only when it is the snapshot of the last successful apply; on a failed apply makes
//   the next sync full and holds back the service ports the tool refuses (port-quarantine.ts); after a
//   successful apply deletes stale UDP conntrack entries (DataPlane.conntrack), logs new warnings, updates
//   metrics, /healthz and the health-check node ports.
// - The Renderer decides everything the system should hold (endpoints, reject or drop, masquerade, names).
// - The Executor remembers what it last committed and makes the system match the program: the diff against
//   the last committed program happens here (and, on full syncs, against what it reads from the kernel).
// docs/architecture.md ("The mode contract") lists where a mode still draws the line differently.

import type { Snapshot } from '../model/types.js';

export type ProxyMode = 'userspace' | 'iptables' | 'nftables' | 'ipvs';
export const PROXY_MODES: readonly ProxyMode[] = ['userspace', 'iptables', 'nftables', 'ipvs'];

export interface SyncInput {
  readonly snapshot: Snapshot;
  /** The snapshot of the last successful sync; undefined on the first sync and after a failed one. */
  readonly previous: Snapshot | undefined;
  /** Rewrite everything (first sync, the full-sync interval elapsed, after a failure or out-of-band damage). */
  readonly full: boolean;
}

/**
 * Snapshot in, program out; no I/O. The program says what the system should hold after the sync. Memory
 * between renders is a cache (per ServicePort object, or valid for the snapshot whose generation it saw
 * last) whose output equals a render without it; the one exception is a position that must stay put from
 * sync to sync (the nftables mode's endpoint slots), which is the renderer's decision and so its state.
 * With `full` false and `previous` given, a program may describe only the service ports in
 * `snapshot.changed` (the rest is in force since `previous` was applied).
 */
export interface Renderer<Program> {
  render(input: SyncInput): Program;
  /** The program as its tool reads it (iptables-restore input, nft script, listener table, ...). */
  format(program: Program): string;
}

export interface ApplyResult {
  /** Service ports this apply could not serve (e.g. SCTP in userspace); the rest is in force. */
  readonly warnings: readonly string[];
}

/**
 * Makes the system match a program. It remembers the last program it committed (and nothing of the
 * snapshots): a partial sync is applied as the difference between that and the new program; a full sync
 * first reads the kernel and repairs what differs. A failed apply forgets or distrusts the committed state,
 * so the next (full) apply rewrites everything.
 */
export interface Executor<Program> {
  /**
   * Prove at start that this mode can run here (kernel features, modules, tools) and prepare what must be
   * in place before the first sync; throw a message saying what is missing. Upstream refuses to start in
   * such cases instead of retrying forever.
   */
  preflight?(): Promise<void>;
  /**
   * Make the system match `program`. On failure, throw and leave the previously applied program in force.
   * `input` is what the program was rendered from (userspace reads `full` from it); the diff is against the
   * executor's own committed state, never against `input.previous`.
   */
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

/**
 * Deletes conntrack entries a sync made stale: a UDP client keeps being sent where its first datagram went
 * until its entry is gone (src/netfilter/conntrack-cleanup.ts).
 */
export interface ConntrackCleaner {
  /** `previous`: the snapshot of the last successful sync (undefined at the first). Returns the failures. */
  clearStaleUDP(snapshot: Snapshot, previous: Snapshot | undefined): Promise<readonly string[]>;
}

export interface DataPlane<Program = unknown> {
  readonly mode: ProxyMode;
  readonly renderer: Renderer<Program>;
  readonly executor: Executor<Program>;
  /**
   * Every kernel mode (their NAT goes through conntrack) offers the cleanup, run by the Proxier after each
   * successful apply, in the namespace the mode programs. Userspace mode relays sockets: nothing to clean.
   */
  readonly conntrack?: ConntrackCleaner;
}
