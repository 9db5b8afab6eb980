// Schedulers choose a backend for a new connection (or a new UDP flow), with IPVS semantics. Each is a
// plugin behind this interface, registered by name in registry.ts. A Scheduler instance lives as long as
// its service port: update() is called when the backends change and must carry state (rr's rotation,
// mh's table) across updates instead of resetting; pick() is called per connection.

export interface Backend {
  /** "ip:port" (IPv6 as "[ip]:port"); unique within one service port. */
  readonly id: string;
  readonly ip: string;
  readonly port: number;
  /** IPVS weight: 0 takes no new connections (graceful termination), default 1. */
  readonly weight: number;
}

export interface PickContext {
  readonly clientIP: string;
  readonly clientPort: number;
  /** The address the client connected to (dh hashes it, as IPVS hashes the destination). */
  readonly destinationIP: string;
}

/** Live connection counts per backend id, kept by the data plane (lc, wlc, sed, nq read them). */
export interface ConnectionCounts {
  active(backendId: string): number;
  inactive(backendId: string): number;
}

export interface Scheduler {
  readonly name: string;
  update(backends: readonly Backend[]): void;
  /** undefined when no backend can take the connection (none, or all weight 0). */
  pick(ctx: PickContext): Backend | undefined;
}

export interface SchedulerFactory {
  readonly name: string;
  readonly description: string;
  create(counts: ConnectionCounts): Scheduler;
}
