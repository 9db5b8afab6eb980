// What the flow lab, the multi-node cluster and the bench node have in common once built: a namespace set
// their callers run things in. A topology class extends this with its own static create() (which builds
// the set and wires it) and whatever helpers its callers need; this only passes the set's operations on.

import type { ChildProcess } from 'node:child_process';
import type { ToolResult } from '../exec/run-tool.js';
import type { NamespaceSet, NamespaceSpawnOptions } from './namespace-set.js';

export abstract class NamespaceTopology<Place extends string> {
  /** How long exec() lets a tool run unless told otherwise. */
  protected readonly execTimeoutMs: number = 30_000;
  /** How spawn() and spawnReady() start processes. */
  protected readonly spawnOptions: NamespaceSpawnOptions = {};

  protected constructor(protected readonly set: NamespaceSet<Place>) {}

  /** The namespace name of each place. */
  get ns(): Readonly<Record<Place, string>> {
    return this.set.ns;
  }

  /** Run a tool to completion inside one namespace. */
  exec(place: Place, cmd: string, args: readonly string[], timeoutMs = this.execTimeoutMs): Promise<ToolResult> {
    return this.set.exec(place, cmd, args, timeoutMs);
  }

  /** A long-running process in one namespace; destroy() stops it if it still runs. */
  spawn(place: Place, cmd: string, args: readonly string[]): ChildProcess {
    return this.set.spawn(place, cmd, args, this.spawnOptions);
  }

  /** Spawn and resolve once the process prints `ready`; reject with its stderr if it exits first. */
  spawnReady(place: Place, cmd: string, args: readonly string[]): Promise<ChildProcess> {
    return this.set.spawnReady(place, cmd, args, this.spawnOptions);
  }

  /** Stop every process started here and delete the namespaces. */
  destroy(): Promise<void> {
    return this.set.destroy();
  }

  /** Synchronous last resort for process exit and signals. */
  destroySync(): void {
    this.set.destroySync();
  }
}
