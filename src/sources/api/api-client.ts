// The HTTP side of talking to a Kubernetes API server: one GET that returns JSON (a list page) and one
// streaming GET (a watch). Every request waits for a token of the rate limit, carries the credentials,
// and is aborted when the server sends nothing for a while, so a half-dead connection cannot hang the
// source. JSON only: kproxy does not speak protobuf, whatever clientConnection.contentType says.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { ClusterAccess } from './kubeconfig.js';
import type { TokenBucket } from './token-bucket.js';

/** What the client needs of the rate limit: one token per request. */
export type RequestLimiter = Pick<TokenBucket, 'take'>;
import { JsonLineDecoder } from './watch-decoder.js';

export type Query = Record<string, string | undefined>;

export interface WatchEvent {
  type: string;
  object: unknown;
}

export interface WatchOptions {
  signal?: AbortSignal;
  /** Abort when no bytes arrive for this long (a stuck watch). */
  idleTimeoutMs: number;
  /** Called once the server accepted the watch (HTTP 200). */
  onOpen?: () => void;
  /** Called for each event in order; return 'stop' to end the watch (it then resolves). */
  onEvent: (event: WatchEvent) => 'stop' | void;
}

/** What the reflector needs from a client; tests may substitute their own. */
export interface ApiTransport {
  getJSON(path: string, query: Query, signal?: AbortSignal): Promise<unknown>;
  /** Resolves when the server ends the stream or onEvent says stop; rejects on any failure. */
  watch(path: string, query: Query, opts: WatchOptions): Promise<void>;
  /** Creates an object (POST); resolves with the server's answer. Optional: test transports may not write. */
  postJSON?(path: string, body: unknown, signal?: AbortSignal): Promise<unknown>;
  close(): void;
}

/** A non-200 answer, carrying the Status object's reason and code (410 Gone: resourceVersion too old). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface OpenResponse {
  res: IncomingMessage;
  /** The idle timeout error, if that is why the response ended. */
  idleError: () => IdleTimeoutError | undefined;
}

/** The connection went quiet for longer than the idle timeout. */
export class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError';
}

export interface ApiClientOptions {
  access: ClusterAccess;
  limiter: RequestLimiter;
  userAgent: string;
  /** Abort a list request that receives nothing for this long (default 60 s, the API server's own limit). */
  requestIdleTimeoutMs?: number;
  now?: () => number;
}

/** client-go re-reads a token file at most once a minute. */
const TOKEN_FILE_TTL_MS = 60_000;
/** Error bodies are read for their Status message only; a proxy's HTML page need not be kept whole. */
const MAX_ERROR_BODY = 64 * 1024;

export class ApiClient implements ApiTransport {
  private readonly access: ClusterAccess;
  private readonly limiter: RequestLimiter;
  private readonly userAgent: string;
  private readonly requestIdleTimeoutMs: number;
  private readonly now: () => number;
  private readonly agent: HttpAgent;
  private cachedToken: { value: string; readAt: number } | undefined;

  constructor(opts: ApiClientOptions) {
    this.access = opts.access;
    this.limiter = opts.limiter;
    this.userAgent = opts.userAgent;
    this.requestIdleTimeoutMs = opts.requestIdleTimeoutMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    const { tls } = opts.access;
    this.agent =
      opts.access.server.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecureSkipVerify, servername: tls.serverName })
        : new HttpAgent({ keepAlive: true });
  }

  async getJSON(path: string, query: Query, signal?: AbortSignal): Promise<unknown> {
    return this.readJSON('GET', path, await this.open(path, query, this.requestIdleTimeoutMs, signal));
  }

  async postJSON(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.readJSON('POST', path, await this.open(path, {}, this.requestIdleTimeoutMs, signal, JSON.stringify(body)));
  }

  private async readJSON(method: string, path: string, { res, idleError }: OpenResponse): Promise<unknown> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (e) {
      throw idleError() ?? new Error(`${method} ${path}: connection lost while reading the response (${(e as Error).message})`);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: the response is not JSON (${text.slice(0, 80)}...)`);
    }
  }

  async watch(path: string, query: Query, opts: WatchOptions): Promise<void> {
    // A private controller so that 'stop' from onEvent can end the request without the caller's signal.
    const ctl = new AbortController();
    const onOuterAbort = () => ctl.abort(opts.signal?.reason);
    if (opts.signal?.aborted) throw opts.signal.reason;
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const { res, idleError } = await this.open(path, query, opts.idleTimeoutMs, ctl.signal);
      opts.onOpen?.();
      res.setEncoding('utf8');
      const decoder = new JsonLineDecoder(`watch ${path}`);
      const events = async function* () {
        try {
          for await (const chunk of res) yield* decoder.push(chunk as string);
        } catch (e) {
          throw idleError() ?? new Error(`watch ${path}: connection lost (${(e as Error).message})`);
        }
        yield* decoder.end();
      };
      try {
        for await (const value of events()) if (opts.onEvent(asWatchEvent(value, path)) === 'stop') return;
      } finally {
        res.destroy();
      }
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      ctl.abort();
    }
  }

  close(): void {
    this.agent.destroy();
  }

  /** Sends a GET (or, with a body, a POST) and returns the 2xx response; any other status becomes an ApiError. */
  private async open(path: string, query: Query, idleTimeoutMs: number, signal?: AbortSignal, body?: string): Promise<OpenResponse> {
    await this.limiter.take(signal);
    const url = this.urlFor(path, query);
    const method = body === undefined ? 'GET' : 'POST';
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.userAgent, ...(await this.authHeaders()) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Once the response has started, destroying the request surfaces as a generic "aborted" on the
    // response; remembering the idle error lets the reader report what really happened.
    let idle: IdleTimeoutError | undefined;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal }, resolve);
      req.setTimeout(idleTimeoutMs, () => req.destroy((idle = new IdleTimeoutError(`${method} ${path}: nothing received for ${idleTimeoutMs} ms`))));
      req.on('error', reject);
      req.end(body);
    });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return { res, idleError: () => idle };
    throw await errorFrom(res, method, path);
  }

  private urlFor(path: string, query: Query): URL {
    const url = new URL(this.access.server.href);
    url.pathname = url.pathname.replace(/\/+$/, '') + path;
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    return url;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const auth = this.access.auth;
    switch (auth.kind) {
      case 'token':
        return { Authorization: `Bearer ${auth.token}` };
      case 'tokenFile':
        return { Authorization: `Bearer ${await this.tokenFromFile(auth.path)}` };
      case 'basic':
        return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
      case 'none':
        return {};
    }
  }

  private async tokenFromFile(path: string): Promise<string> {
    const now = this.now();
    if (this.cachedToken && now - this.cachedToken.readAt < TOKEN_FILE_TTL_MS) return this.cachedToken.value;
    try {
      const value = (await readFile(path, 'utf8')).trim();
      this.cachedToken = { value, readAt: now };
      return value;
    } catch (e) {
      // A token being rotated may be briefly unreadable; the last one read is still the best guess.
      if (this.cachedToken) return this.cachedToken.value;
      throw new Error(`cannot read the token file ${path}: ${(e as Error).message}`);
    }
  }
}

async function errorFrom(res: IncomingMessage, method: string, path: string): Promise<ApiError> {
  let body = '';
  for await (const chunk of res) {
    if (body.length < MAX_ERROR_BODY) body += (chunk as Buffer).toString('utf8');
  }
  const code = res.statusCode ?? 0;
  let reason = res.statusMessage ?? '';
  let message = body.slice(0, 200);
  try {
    const status = JSON.parse(body) as { reason?: string; message?: string };
    if (status.reason) reason = status.reason;
    if (status.message) message = status.message;
  } catch {
    // Not a Status object (a proxy in between, say): the raw start of the body is the best explanation.
  }
  return new ApiError(code, reason, `${method} ${path}: ${code} ${reason}: ${message}`);
}

function asWatchEvent(value: unknown, path: string): WatchEvent {
  const v = value as Partial<WatchEvent> | null;
  if (typeof v !== 'object' || v === null || typeof v.type !== 'string') {
    throw new Error(`watch ${path}: got ${JSON.stringify(value)?.slice(0, 80)}, expected an event {"type": ..., "object": ...}`);
  }
  return { type: v.type, object: v.object };
}
