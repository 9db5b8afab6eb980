// A set of network namespaces created together and removed together, root only: the ground the flow
// suite's lab, the multi-node cluster and `kproxy bench` build their topologies on. Names carry a random
// suffix so several sets (test files run in parallel) never collide. Every process started in a namespace
// is tracked; destroy() stops them and deletes the namespaces, and a process exit or SIGINT/SIGTERM does the
// same synchronously for whatever a run left behind.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { runTool, type ToolResult } from '../exec/run-tool.js';
import { onExitCleanup } from './exit-cleanup.js';

export interface NamespaceSpawnOptions {
  /**
   * Start the process in its own process group and signal the whole group when stopping it, so what it
   * starts in turn (a shell's children, nginx workers) goes with it.
   */
  ownGroup?: boolean;
}

export interface SpawnReadyOptions extends NamespaceSpawnOptions {
  /** The text the process prints on stdout once it is ready (default `ready`). */
  marker?: string;
}

/** Children started in their own process group: stopping one signals the group. */
const groupLeaders = new WeakSet<ChildProcess>();

export class NamespaceSet<Place extends string> {
  private readonly children = new Set<ChildProcess>();
  private readonly undos: (() => void)[] = [];
  private forgetExitCleanup: () => void = () => undefined;
  private destroyed = false;

  private constructor(readonly ns: Readonly<Record<Place, string>>) {}

  /**
   * Create one namespace per place, named `<prefix><6 hex digits>-<place>`, loopback up in each. `wire`
   * then builds the topology; if it (or anything before it) fails, everything is removed and the error
   * rethrown, so a caller never holds half a set.
   */
  static async create<P extends string>(
    places: readonly P[],
    prefix: string,
    wire: (set: NamespaceSet<P>) => Promise<void> = async () => undefined,
  ): Promise<NamespaceSet<P>> {
    if (new Set(places).size !== places.length) throw new Error(`namespace places must be distinct, got ${places.join(', ')}`);
    const id = `${prefix}${randomBytes(3).toString('hex')}`;
    const set = new NamespaceSet(Object.fromEntries(places.map((p) => [p, `${id}-${p}`])) as Record<P, string>);
    // Registered before the first namespace exists: an interrupt mid-build must not leave any behind.
    set.forgetExitCleanup = onExitCleanup(() => set.destroySync());
    try {
      for (const [cmd, ...args] of namespaceCommands(Object.values(set.ns))) await runTool(cmd!, args);
      await wire(set);
    } catch (err) {
      await set.destroy();
      throw err;
    }
    return set;
  }

  /** Run a tool to completion inside one namespace. */
  exec(place: Place, cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<ToolResult> {
    return runTool(cmd, args, { netns: this.ns[place], timeoutMs });
  }

  /** Start a long-running process inside one namespace; destroy() stops it if it is still running. */
  spawn(place: Place, cmd: string, args: readonly string[], opts: NamespaceSpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns[place], cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.ownGroup ?? false,
    });
    if (opts.ownGroup) groupLeaders.add(child);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Spawn, and resolve once the process prints its ready marker; reject with its stderr if it exits first. */
  async spawnReady(place: Place, cmd: string, args: readonly string[], opts: SpawnReadyOptions = {}): Promise<ChildProcess> {
    const marker = opts.marker ?? 'ready';
    const child = this.spawn(place, cmd, args, opts);
    let stdout = '';
    let stderr = '';
    const onStderr = (c: Buffer): void => void (stderr += c.toString());
    child.stderr?.on('data', onStderr);
    await new Promise<void>((resolve, reject) => {
      const onClose = (code: number | null): void =>
        reject(new Error(`${cmd} ${args.join(' ')} exited (${code}) before it printed '${marker}': ${stderr.trim()}`));
      const onStdout = (c: Buffer): void => {
        stdout += c.toString(); // the marker may arrive split over two chunks
        if (!stdout.includes(marker)) return;
        child.stdout?.off('data', onStdout);
        child.stderr?.off('data', onStderr);
        child.off('close', onClose);
        resolve();
      };
      child.stdout?.on('data', onStdout);
      child.once('close', onClose);
    });
    return child;
  }

  /** Also run `undo` (synchronous) when the set is destroyed, by either path. */
  onDestroy(undo: () => void): void {
    this.undos.push(undo);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.children].map((c) => stopChild(c)));
    for (const name of Object.values<string>(this.ns)) await runTool('ip', ['netns', 'del', name]).catch(() => undefined);
    this.runUndos();
    this.forgetExitCleanup();
  }

  /** Synchronous last resort for process exit and signals. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) signalChild(child, 'SIGKILL');
    for (const name of Object.values<string>(this.ns)) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    this.runUndos();
    this.forgetExitCleanup();
  }

  private runUndos(): void {
    for (const undo of this.undos.splice(0)) {
      try {
        undo();
      } catch {
        // One failed undo must not keep the others from running.
      }
    }
  }
}

/** The commands that create the named namespaces (all of them first) and bring their loopback up. */
export function namespaceCommands(names: readonly string[]): string[][] {
  return [...names.map((n) => ['ip', 'netns', 'add', n]), ...names.map((n) => ['ip', '-n', n, 'link', 'set', 'lo', 'up'])];
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`; its whole group if it leads one. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalChild(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalChild(child, 'SIGTERM');
  });
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!groupLeaders.has(child)) {
    child.kill(signal);
    return;
  }
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Why a namespace set cannot be built here, or undefined when it can. */
export function namespaceRequirements(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'needs iproute2 (ip)';
  return undefined;
}
