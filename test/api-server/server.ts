// A Kubernetes API server for tests, speaking the real protocol for the three collections kproxy reads:
// lists with label/field selectors and paging (limit/continue, 410 for an expired continue token), and
// watches (?watch=1) as chunked JSON streams, one event per line: ADDED/MODIFIED/DELETED/BOOKMARK, and
// ERROR carrying a 410 Status when the requested resourceVersion was compacted away. Faults can be
// injected: failing, slow or hanging requests, stalled watches, dropped connections, the server down.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { keyOf, ObjectStore, TYPE_OF, type Change, type Resource, type StoredObject } from './object-store.js';
import { matchesFields, matchesLabels, parseSelector, SelectorError, type SelectorRequirement } from '../../src/sources/api/selectors.js';

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  resource: Resource | undefined;
  watch: boolean;
}

interface FailRule {
  remaining: number;
  status: number;
  match: (r: RecordedRequest) => boolean;
}

export interface TestApiServerOptions {
  /** Send a BOOKMARK to watches that asked for them this often (default: only on sendBookmarks()). */
  bookmarkIntervalMs?: number;
  /** Requests must carry `Authorization: Bearer TOKEN`. */
  requireToken?: string;
  /**
   * The Kubernetes minor version this server plays (default 31). It decides which field selectors are
   * known, as on a real server: Services' spec.clusterIP and spec.type only from 1.31; 1.28 to 1.30 answer
   * 400 "... is not a known field selector" (seen from a real v1.28.4 kube-apiserver).
   */
  minorVersion?: number;
}

/** Field selectors a real API server knows per resource, and the minor version that added them. */
const FIELD_SELECTORS: Record<Resource, Record<string, number>> = {
  services: { 'metadata.name': 0, 'metadata.namespace': 0, 'spec.clusterIP': 31, 'spec.type': 31 },
  endpointslices: { 'metadata.name': 0, 'metadata.namespace': 0 },
  nodes: { 'metadata.name': 0, 'metadata.namespace': 0, 'spec.unschedulable': 0 },
};

const ROUTES: [RegExp, Resource][] = [
  [/^\/api\/v1\/(?:namespaces\/[^/]+\/)?services$/, 'services'],
  [/^\/apis\/discovery\.k8s\.io\/v1\/(?:namespaces\/[^/]+\/)?endpointslices$/, 'endpointslices'],
  [/^\/api\/v1\/nodes$/, 'nodes'],
];

const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 410: 'Expired', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

export class TestApiServer {
  readonly store = new ObjectStore();
  readonly requests: RecordedRequest[] = [];
  /** Events created with POST (events.k8s.io/v1), in order. */
  readonly events: { namespace: string; object: Record<string, unknown> }[] = [];
  /** Every response waits this long before it starts. */
  delayMs = 0;
  /** Non-watch requests are accepted and never answered. */
  hangRequests = false;
  /** Watches get their headers and then silence: no events, no bookmarks, no timeout. */
  stallWatches = false;
  /** Every continue token is reported expired (410). */
  expireContinueTokens = false;
  private readonly opts: TestApiServerOptions;
  private readonly failRules: FailRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<{ res: ServerResponse; bookmark: () => void }>();
  private server: Server | undefined;
  private assignedPort = 0;

  constructor(opts: TestApiServerOptions = {}) {
    this.opts = opts;
  }

  get port(): number {
    return this.assignedPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.assignedPort}`;
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** Listens on 127.0.0.1; after stop(), on the same port again. */
  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.assignedPort, '127.0.0.1', () => resolve());
    });
    this.assignedPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The server goes away: the port closes and every connection (watches included) is cut. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.watches.clear();
    await closed;
  }

  /** Cuts every open watch connection mid-stream, as a load balancer dropping them would. */
  dropWatches(): void {
    for (const w of this.watches) w.res.socket?.destroy();
    this.watches.clear();
  }

  sendBookmarks(): void {
    for (const w of this.watches) w.bookmark();
  }

  /** The next `count` requests matching `match` fail with `status` and a Status body. */
  failNext(count: number, status = 500, match: (r: RecordedRequest) => boolean = () => true): void {
    this.failRules.push({ remaining: count, status, match });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://test');
    const resource = ROUTES.find(([re]) => re.test(url.pathname))?.[1];
    const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
    const recorded: RecordedRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), resource, watch };
    this.requests.push(recorded);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.hangRequests && !watch) return;
    if (this.opts.requireToken && req.headers.authorization !== `Bearer ${this.opts.requireToken}`) return sendStatus(res, 401, 'Unauthorized');
    const rule = this.failRules.find((r) => r.remaining > 0 && r.match(recorded));
    if (rule) {
      rule.remaining--;
      return sendStatus(res, rule.status, `injected failure (${rule.status})`);
    }
    const eventsIn = /^\/apis\/events\.k8s\.io\/v1\/namespaces\/([^/]+)\/events$/.exec(url.pathname);
    if (eventsIn && req.method === 'POST') return this.createEvent(eventsIn[1]!, req, res);
    if (!resource) return sendStatus(res, 404, `the server could not find the requested resource (${url.pathname})`);
    try {
      const labels = parseSelector(url.searchParams.get('labelSelector'), 'labelSelector');
      const fields = parseSelector(url.searchParams.get('fieldSelector'), 'fieldSelector');
      this.checkFieldsKnown(resource, fields);
      const selected = (o: StoredObject) => matchesLabels(labels, o) && matchesFields(fields, o);
      if (watch) this.serveWatch(resource, url.searchParams, selected, res);
      else this.serveList(resource, url.searchParams, selected, res);
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      sendStatus(res, 400, e.message);
    }
  }

  private async createEvent(namespace: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += (chunk as Buffer).toString();
    const object = JSON.parse(body) as Record<string, unknown>;
    this.events.push({ namespace, object });
    sendJSON(res, 201, object);
  }

  private checkFieldsKnown(resource: Resource, fields: SelectorRequirement[]): void {
    const minor = this.opts.minorVersion ?? 31;
    const known = Object.entries(FIELD_SELECTORS[resource]).filter(([, since]) => since <= minor).map(([f]) => f);
    const unknown = fields.find((f) => !known.includes(f.key));
    if (unknown) throw new SelectorError(`"${unknown.key}" is not a known field selector: only ${known.map((f) => `"${f}"`).join(', ')}`);
  }

  private serveList(resource: Resource, q: URLSearchParams, selected: (o: StoredObject) => boolean, res: ServerResponse): void {
    const limit = Number(q.get('limit') ?? 0);
    let listRV = this.store.resourceVersion;
    let after = '';
    const cont = q.get('continue');
    if (cont) {
      const token = JSON.parse(Buffer.from(cont, 'base64url').toString()) as { rv: number; after: string };
      if (this.expireContinueTokens || token.rv < this.store.oldestResumable) {
        return sendStatus(res, 410, 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      ({ rv: listRV, after } = token);
    }
    const matching = this.store.list(resource).filter((o) => keyOf(o) > after && selected(o));
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const metadata: Record<string, string> = { resourceVersion: String(listRV) };
    if (page.length < matching.length) {
      metadata['continue'] = Buffer.from(JSON.stringify({ rv: listRV, after: keyOf(page[page.length - 1]!) })).toString('base64url');
    }
    const { kind, apiVersion } = TYPE_OF[resource];
    // List items carry no kind/apiVersion, as on a real server.
    const items = page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
    sendJSON(res, 200, { kind: `${kind}List`, apiVersion, metadata, items });
  }

  private serveWatch(resource: Resource, q: URLSearchParams, selected: (o: StoredObject) => boolean, res: ServerResponse): void {
    const { kind, apiVersion } = TYPE_OF[resource];
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const typed = (o: StoredObject) => ({ ...o, kind, apiVersion });
    const bookmark = () => {
      if (q.get('allowWatchBookmarks') === 'true') send('BOOKMARK', { kind, apiVersion, metadata: { resourceVersion: String(this.store.resourceVersion) } });
    };
    if (this.stallWatches) {
      this.watches.add({ res, bookmark: () => undefined });
      return;
    }
    const deliver = (c: Change) => {
      if (c.resource !== resource) return;
      if (selected(c.object)) send(c.type, typed(c.object));
      else if (c.type === 'MODIFIED') send('DELETED', typed(c.object)); // it no longer matches the selectors
    };
    const rv = q.get('resourceVersion') ?? '';
    if (rv === '' || rv === '0') {
      for (const o of this.store.list(resource)) if (selected(o)) send('ADDED', typed(o));
    } else {
      const changes = this.store.changesSince(resource, Number(rv));
      if (!changes) {
        send('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${this.store.oldestResumable})`, reason: 'Expired', code: 410 });
        res.end();
        return;
      }
      changes.forEach(deliver);
    }
    const entry = { res, bookmark };
    this.watches.add(entry);
    const unsubscribe = this.store.onChange(deliver);
    const timers: NodeJS.Timeout[] = [];
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000));
    if (this.opts.bookmarkIntervalMs) timers.push(setInterval(bookmark, this.opts.bookmarkIntervalMs));
    res.on('close', () => {
      unsubscribe();
      timers.forEach((t) => clearTimeout(t));
      this.watches.delete(entry);
    });
  }
}

function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendStatus(res: ServerResponse, code: number, message: string): void {
  sendJSON(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'Unknown', code });
}
