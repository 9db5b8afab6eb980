// The --from source: manifests in files and directories, kept in sync as they change. Each file is one
// origin, so editing one file can never disturb objects that came from another, and a file that stops
// parsing keeps its last good objects in force until it is fixed. A file that turns empty keeps them too:
// a writer that truncates and then writes (not write-then-rename) leaves an empty file for a moment, and
// reading that as "no objects" would delete every Service of the file until the write completes. Removing
// the file is how its objects are removed.
//
// Change detection uses two mechanisms on purpose: fs.watch reacts within the debounce delay but misses
// events (editors save by writing a temp file and renaming it over the old one, network filesystems
// send nothing), so a periodic stat poll catches whatever the watchers did not report. Under rewrites
// that never pause for the debounce delay, a maximum wait still reads the files every maxWaitMs.

import { constants, watch, type FSWatcher } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError } from '../model/input-error.js';
import type { KubeObject } from '../model/objects.js';
import type { Logger } from '../observability/logger.js';
import { MAX_MANIFEST_BYTES, readManifest, type ManifestRead } from './manifest-guards.js';
import { parseManifest } from './manifest-parser.js';
import type { Source, SourceSink } from './types.js';

export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

export interface FileSourceOptions {
  /** Files and directories given with --from. Directories are read non-recursively. */
  paths: string[];
  logger: Logger;
  /** How often to stat every file as a safety net for missed watch events (default 2000 ms). */
  pollIntervalMs?: number;
  /** How long a burst of watch events must go quiet before files are re-read (default 100 ms). */
  debounceMs?: number;
  /** The longest a burst of watch events delays a re-read, however often it goes on (default 500 ms). */
  maxWaitMs?: number;
  /** Larger files are refused with an error (default MAX_MANIFEST_BYTES). */
  maxFileBytes?: number;
}

/** What was last seen of a file; a change in any stat field means "read it again". */
interface FileState {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** sha256 of the content last read; a touch without a content change delivers nothing. */
  hash: string;
  /** The sink holds objects from this file: an empty or broken version keeps them. */
  holdsObjects: boolean;
}

export class FileSource implements Source {
  readonly name = 'file';
  private readonly paths: string[];
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly maxFileBytes: number;
  private readonly files = new Map<string, FileState>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Each configured path and what it was at start. */
  private readonly watchTargets = new Map<string, 'file' | 'directory'>();
  private sink: SourceSink | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  /** When the first watch event not yet followed by a scan arrived. */
  private burstStart: number | undefined;
  private scanning: Promise<void> | undefined;
  private rescanRequested = false;
  private stopped = false;

  constructor(opts: FileSourceOptions) {
    if (opts.paths.length === 0) throw new Error('file source: no paths given (--from needs a file or directory)');
    this.paths = [...opts.paths];
    this.logger = opts.logger;
    this.pollIntervalMs = opts.pollIntervalMs ?? 2000;
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxWaitMs = opts.maxWaitMs ?? 500;
    this.maxFileBytes = opts.maxFileBytes ?? MAX_MANIFEST_BYTES;
  }

  async start(sink: SourceSink): Promise<void> {
    if (this.sink) throw new Error('file source: start() called twice');
    for (const p of this.paths) {
      const unreadable = (e: NodeJS.ErrnoException): never => {
        const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
        throw new Error(`--from path "${p}" cannot be read: ${why}; give a manifest file or a directory of them`);
      };
      const st = await stat(p).catch(unreadable);
      // Checked now because later a directory that cannot be listed reads as empty (its files removed).
      if (st.isDirectory()) await readdir(p).catch(unreadable);
      else if (st.isFile()) await access(p, constants.R_OK).catch(unreadable);
      else throw new Error(`--from path "${p}" is neither a file nor a directory`);
      this.watchTargets.set(p, st.isDirectory() ? 'directory' : 'file');
    }
    this.sink = sink;
    // Watch before the first read so a change made while reading is not lost.
    this.ensureWatchers();
    this.scanning = this.scan();
    try {
      await this.scanning;
    } finally {
      this.scanning = undefined;
    }
    sink.synced(this.name);
    this.logger.info('Manifest files loaded', { paths: this.paths, files: this.files.size });
    this.pollTimer = setInterval(() => this.requestScan(), this.pollIntervalMs);
    if (this.rescanRequested) {
      this.rescanRequested = false;
      this.requestScan();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = this.debounceTimer = undefined;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.scanning;
  }

  /** Called on every watch event; a burst of events becomes one scan once it goes quiet, or at maxWaitMs. */
  private onWatchEvent(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.burstStart ??= now;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    const untilMaxWait = this.burstStart + this.maxWaitMs - now;
    this.debounceTimer = setTimeout(
      () => {
        this.debounceTimer = this.burstStart = undefined;
        this.requestScan();
      },
      Math.max(0, Math.min(this.debounceMs, untilMaxWait)),
    );
  }

  /** Scans never overlap: a request during a scan runs one more scan after it. */
  private requestScan(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescanRequested = true;
      return;
    }
    this.scanning = this.scan()
      .catch((e: unknown) => this.logger.error('Scanning manifest files failed', { err: String(e) }))
      .finally(() => {
        this.scanning = undefined;
        this.ensureWatchers();
        if (this.rescanRequested) {
          this.rescanRequested = false;
          this.requestScan();
        }
      });
  }

  private async scan(): Promise<void> {
    const present = await this.listFiles();
    for (const file of present) {
      if (this.stopped) return;
      await this.syncFile(file);
    }
    const stillThere = new Set(present);
    for (const file of [...this.files.keys()]) {
      if (stillThere.has(file) || this.stopped) continue;
      this.files.delete(file);
      this.logger.info('Manifest file removed', { path: file });
      this.sink?.replace(file, []);
    }
  }

  /** Every manifest file currently under the configured paths, each once, in a stable order. */
  private async listFiles(): Promise<string[]> {
    const seen = new Set<string>();
    const out: string[] = [];
    const add = (file: string) => {
      const key = resolve(file);
      if (!seen.has(key)) seen.add(key), out.push(file);
    };
    for (const p of this.paths) {
      const st = await stat(p).catch(() => undefined);
      if (st?.isFile()) add(p);
      else if (st?.isDirectory()) for (const f of await this.listDirectory(p)) add(f);
      // A path that disappeared after start counts as empty: its files are reported removed.
    }
    return out;
  }

  /**
   * Manifest files in `dir` and, like `kubectl apply -R`, its subdirectories (so `--from examples/` reads
   * examples/cluster/). Hidden entries are skipped: ConfigMap volumes keep their real files in `..data`
   * and present them as symlinks at the top. Changes below the top level are found by the poll.
   */
  private async listDirectory(dir: string): Promise<string[]> {
    const entries = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => !e.name.startsWith('.'));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: string[] = [];
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') out.push(...(await this.listDirectory(path)));
      // symlinks: how ConfigMap volumes present files
      else if ((e.isFile() || e.isSymbolicLink()) && MANIFEST_EXTENSIONS.includes(extname(e.name).toLowerCase())) out.push(path);
    }
    return out;
  }

  /** Reads `file` again if its stat changed, and delivers it if its content changed. */
  private async syncFile(file: string): Promise<void> {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) return; // gone between listing and stat, or a dangling symlink: next scan sees it
    const before = this.files.get(file);
    const seen = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    if (before && sameStat(before, seen)) return;
    const state: FileState = { ...seen, hash: 'unreadable', holdsObjects: before?.holdsObjects ?? false };

    let read: ManifestRead;
    try {
      read = await readManifest(file, this.maxFileBytes);
    } catch (e) {
      // Remember the stat so the error is reported once, not on every poll; a chmod changes ctime.
      this.files.set(file, state);
      this.refuse(file, state, [`cannot read file: ${e instanceof Error ? e.message : String(e)}`]);
      return;
    }
    state.hash = read.hash;
    this.files.set(file, state);
    if (before?.hash === read.hash || this.stopped) return;
    if ('problem' in read) this.refuse(file, state, [read.problem]);
    else this.deliver(file, read.text, state);
  }

  private deliver(file: string, text: string, state: FileState): void {
    const parsed = parseManifest(text, file);
    const debug = this.logger.v(4);
    if (parsed.skipped.length > 0 && debug.enabled) {
      const kinds = [...new Set(parsed.skipped.map((s) => `${s.apiVersion}/${s.kind}`))];
      debug.info('Skipping objects of kinds kproxy does not read', { path: file, count: parsed.skipped.length, kinds });
    }
    if (parsed.errors.length > 0) {
      // All or nothing per file: delivering the readable half would delete the objects of the broken half.
      this.refuse(file, state, parsed.errors);
      return;
    }
    if (parsed.documents === 0 && state.holdsObjects) {
      this.logger.warn('Manifest file is empty; keeping its last good objects until it has content again or is removed', { path: file });
      return;
    }
    // The model validates every field; the parser has checked kind and apiVersion, enough to route them.
    const objects = parsed.objects.map((o) => o.object as KubeObject);
    this.logger.v(2).info('Manifest file read', { path: file, objects: objects.length });
    state.holdsObjects = objects.length > 0;
    this.sink?.replace(file, objects);
  }

  /** Reports why `file` is not used now; whatever it delivered before stays in force. */
  private refuse(file: string, state: FileState, problems: readonly (InputError | string)[]): void {
    for (const p of problems) {
      this.sink?.reportError(typeof p === 'string' ? new InputError({ code: 'KPROXY_PARSE', origin: file, reason: p }) : p);
    }
    const what = state.holdsObjects ? 'keeping its last good objects' : 'none of its objects are used until it is fixed';
    this.logger.warn(`Manifest file has errors; ${what}`, { path: file, errors: problems.length });
  }

  /**
   * Watches each directory, and the parent directory of each named file: a watch on the file itself
   * follows its inode and goes deaf once an editor renames a new file over it. Retried after every scan
   * so a directory that could not be watched (missing, or its watcher failed) is watched once it is back.
   */
  private ensureWatchers(): void {
    if (this.stopped) return;
    // Directory to watch -> the names in it that matter (undefined: every name).
    const wanted = new Map<string, Set<string> | undefined>();
    for (const [p, type] of this.watchTargets) {
      if (type === 'directory') {
        wanted.set(p, undefined);
        continue;
      }
      const dir = dirname(p);
      if (wanted.has(dir) && wanted.get(dir) === undefined) continue; // already every name in it
      wanted.set(dir, new Set([...(wanted.get(dir) ?? []), basename(p)]));
    }
    for (const [dir, names] of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, (_event, name) => {
          if (!names || name === null || names.has(name)) this.onWatchEvent();
        });
        // A watched directory that is removed errors out; the poll notices, and the next scan re-watches.
        w.on('error', () => {
          w.close();
          if (this.watchers.get(dir) === w) this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // The directory is missing right now; the poll keeps scanning and the next scan retries.
      }
    }
  }
}

function sameStat(a: Omit<FileState, 'hash' | 'holdsObjects'>, b: Omit<FileState, 'hash' | 'holdsObjects'>): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}
