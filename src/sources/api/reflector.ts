// One collection kept in sync with the API server, as client-go's Reflector does it, but owned here so
// that it never gives up: list (in pages), then watch from the list's resourceVersion; resume watches
// from the last resourceVersion seen (events and bookmarks); relist when the server says 410 Gone; on
// any failure wait with exponential backoff and jitter and try again, forever.
//
// The sink only ever hears complete truths: a list replaces the collection only once every page has
// arrived, so a failed or partial list during an outage can never delete anything. Until the API is
// back, whatever was delivered last stays in force.

import type { KubeObject } from '../../model/objects.js';
import type { Logger } from '../../observability/logger.js';
import { Backoff } from '../../runner/backoff.js';
import { ApiError, IdleTimeoutError, type ApiTransport, type Query, type WatchEvent } from './api-client.js';
import type { ResourceSpec } from './resources.js';
import { describeForm, selectorForms, type SelectorForm } from './selector-forms.js';
import { abortableSleep } from './token-bucket.js';

export interface ReflectorSink {
  replace(objects: KubeObject[]): void;
  upsert(object: KubeObject): void;
  remove(namespace: string | undefined, name: string): void;
}

export interface ReflectorTuning {
  /** Items per list page (default 500, as client-go's pager). */
  pageSize?: number;
  /** timeoutSeconds for each watch; default random in [300, 600) as client-go's reflector. */
  watchTimeoutSeconds?: () => number;
  /** Restart a watch that delivers nothing (not even a bookmark) for this long (default 2 min). */
  watchIdleTimeoutMs?: number;
  /** Retry delays after failures (default 0.8 s doubling to 30 s, jitter up to 100%, as client-go). */
  backoff?: Backoff;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface ReflectorOptions extends ReflectorTuning {
  resource: ResourceSpec;
  transport: ApiTransport;
  sink: ReflectorSink;
  logger: Logger;
}

type WatchEnd = 'expired' | 'closed' | 'quiet';

/** A watch that ends this soon after starting, having delivered nothing, counts as a failure. */
const SHORT_WATCH_MS = 1000;

export class Reflector {
  private readonly opts: ReflectorOptions;
  private readonly backoff: Backoff;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private resourceVersion: string | undefined;
  private isHealthy = false;
  private failuresSinceSuccess = 0;
  private running: Promise<void> | undefined;
  private readonly forms: SelectorForm[];
  private formIndex = 0;
  private formLogged = false;
  private resolveSynced!: () => void;
  /** Resolves after the first complete list was delivered (or on stop). */
  readonly synced: Promise<void>;

  constructor(opts: ReflectorOptions) {
    this.opts = opts;
    this.backoff = opts.backoff ?? new Backoff({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1 });
    this.sleep = opts.sleep ?? abortableSleep;
    this.now = opts.now ?? Date.now;
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
    this.forms = selectorForms(opts.resource);
  }

  /** The last list or watch worked; false from the first failure until the next success. */
  get healthy(): boolean {
    return this.isHealthy;
  }

  /** The resourceVersion the next watch resumes from; undefined means the next step is a full list. */
  get lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('reflector stopped'));
    this.resolveSynced();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) await this.list();
        const started = this.now();
        const { end, events } = await this.watchOnce();
        if (end === 'expired') {
          this.opts.logger.info('Watch closed with 410 Gone; listing again', { type: this.opts.resource.typeName, resourceVersion: this.resourceVersion });
          this.resourceVersion = undefined;
        } else if (end === 'closed' && events === 0 && this.now() - started < SHORT_WATCH_MS) {
          await this.pause(this.backoff.next());
        }
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof ApiError && err.code === 410) {
          this.opts.logger.info('Watch closed with 410 Gone; listing again', { type: this.opts.resource.typeName, resourceVersion: this.resourceVersion });
          this.resourceVersion = undefined;
          continue;
        }
        if (err instanceof ApiError && err.code === 400 && this.askForLess(err)) continue;
        this.failed(err);
        await this.pause(this.backoff.next());
      }
    }
  }

  /** Every page, then one replace: the sink never sees half a collection. */
  private async list(): Promise<void> {
    const { resource, transport } = this.opts;
    const items: KubeObject[] = [];
    let limit = this.opts.pageSize ?? 500;
    let cont: string | undefined;
    let listRV: string | undefined;
    for (;;) {
      const query: Query = { ...this.selectors(), limit: limit > 0 ? String(limit) : undefined, continue: cont };
      let page: unknown;
      try {
        page = await transport.getJSON(resource.path, query, this.abort.signal);
      } catch (err) {
        if (!(cont && err instanceof ApiError && err.code === 410)) throw err;
        // The continue token expired between pages: start over with one unpaged list, as client-go's pager.
        this.opts.logger.info('List continue token expired; listing again without paging', { type: resource.typeName });
        items.length = 0;
        cont = listRV = undefined;
        limit = 0;
        continue;
      }
      const { objects, resourceVersion, next } = this.readPage(page);
      for (const o of objects) if (this.form.keep(o)) items.push(o);
      listRV ??= resourceVersion;
      if (!next) break;
      cont = next;
    }
    this.opts.sink.replace(items);
    this.resourceVersion = listRV;
    this.logFormOnce();
    this.succeeded();
    this.backoff.reset();
    this.opts.logger.v(2).info('Listed objects from the API server', { type: resource.typeName, count: items.length, resourceVersion: listRV });
    this.resolveSynced();
  }

  private readPage(page: unknown): { objects: KubeObject[]; resourceVersion: string; next: string | undefined } {
    const p = page as { metadata?: { resourceVersion?: unknown; continue?: unknown }; items?: unknown };
    const rv = p?.metadata?.resourceVersion;
    if (typeof rv !== 'string' || !Array.isArray(p.items)) {
      throw new Error(`list ${this.opts.resource.path}: expected a list with metadata.resourceVersion and items`);
    }
    const next = typeof p.metadata?.continue === 'string' && p.metadata.continue !== '' ? p.metadata.continue : undefined;
    return { objects: p.items.map((item) => this.typed(item)), resourceVersion: rv, next };
  }

  private async watchOnce(): Promise<{ end: WatchEnd; events: number }> {
    const { resource, transport } = this.opts;
    const timeoutSeconds = (this.opts.watchTimeoutSeconds ?? defaultWatchTimeout)();
    const query: Query = {
      ...this.selectors(),
      watch: '1',
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
    };
    let end: WatchEnd = 'closed';
    let events = 0;
    try {
      await transport.watch(resource.path, query, {
        signal: this.abort.signal,
        idleTimeoutMs: this.opts.watchIdleTimeoutMs ?? 120_000,
        onOpen: () => this.succeeded(),
        onEvent: (event) => {
          events++;
          if (this.apply(event) !== 'expired') return undefined;
          end = 'expired';
          return 'stop';
        },
      });
    } catch (err) {
      if (!(err instanceof IdleTimeoutError) || this.stopped) throw err;
      // Not an outage: a connection that silently died. Resume from the last resourceVersion.
      this.opts.logger.info('Watch received nothing for too long; restarting it', { type: resource.typeName });
      end = 'quiet';
    }
    if (end === 'closed') this.backoff.reset();
    return { end, events };
  }

  private apply(event: WatchEvent): 'expired' | void {
    const object = event.object as { metadata?: { namespace?: string; name?: string; resourceVersion?: string } } | undefined;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        // An object that stopped matching the client-side selectors leaves, as the server would send DELETED.
        if (this.form.keep(object)) this.opts.sink.upsert(this.typed(object));
        else if (typeof object?.metadata?.name === 'string') this.opts.sink.remove(object.metadata.namespace, object.metadata.name);
        break;
      case 'DELETED':
        if (typeof object?.metadata?.name === 'string') this.opts.sink.remove(object.metadata.namespace, object.metadata.name);
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR': {
        const status = event.object as { code?: number; reason?: string; message?: string } | undefined;
        if (status?.code === 410) return 'expired';
        throw new ApiError(status?.code ?? 0, status?.reason ?? '', `watch ${this.opts.resource.path}: ${status?.message ?? JSON.stringify(status)}`);
      }
      default:
        throw new Error(`watch ${this.opts.resource.path}: got event type ${JSON.stringify(event.type)}, expected ADDED, MODIFIED, DELETED, BOOKMARK or ERROR`);
    }
    const rv = object?.metadata?.resourceVersion;
    if (typeof rv === 'string' && rv !== '') this.resourceVersion = rv;
  }

  /** List items carry no apiVersion/kind; the sink needs both. A fresh object, never one shared later. */
  private typed(item: unknown): KubeObject {
    const { apiVersion, kind } = this.opts.resource;
    return { ...(item as object), apiVersion, kind } as KubeObject;
  }

  private get form(): SelectorForm {
    return this.forms[this.formIndex]!;
  }

  private selectors(): Query {
    return { labelSelector: this.form.labelSelector, fieldSelector: this.form.fieldSelector };
  }

  /** After a 400: move to a form that asks the server for less, if there is one. */
  private askForLess(err: ApiError): boolean {
    if (this.formIndex + 1 >= this.forms.length) return false;
    const refused = describeForm(this.form).onServer;
    this.formIndex++;
    this.opts.logger.warn('The API server refused the selectors; asking for less and filtering on the client', {
      type: this.opts.resource.typeName,
      refused,
      err: err.message,
      ...describeForm(this.form),
    });
    return true;
  }

  private logFormOnce(): void {
    if (this.formLogged) return;
    this.formLogged = true;
    this.opts.logger.info('Selecting objects', { type: this.opts.resource.typeName, ...describeForm(this.form) });
  }

  private succeeded(): void {
    if (this.failuresSinceSuccess > 0) {
      this.opts.logger.info('Connection to the API server restored', { type: this.opts.resource.typeName, failures: this.failuresSinceSuccess });
    }
    this.failuresSinceSuccess = 0;
    this.isHealthy = true;
  }

  private failed(err: unknown): void {
    this.isHealthy = false;
    this.failuresSinceSuccess++;
    const { typeName } = this.opts.resource;
    const step = this.resourceVersion === undefined ? 'list' : 'watch';
    const why = err instanceof Error ? err.message : String(err);
    // client-go's reflector line; the last delivered state stays in force meanwhile.
    this.opts.logger.error('Failed to watch', { err: `failed to ${step} ${typeName}: ${why}`, type: typeName, keepingLastState: true });
  }

  private async pause(ms: number): Promise<void> {
    await this.sleep(ms, this.abort.signal).catch(() => undefined);
  }
}

function defaultWatchTimeout(): number {
  return Math.floor(300 * (1 + Math.random()));
}
