// Wiring for the API source tests: a test API server, a client to it, a recording logger.

import type { KeyValues, Logger } from '../../src/observability/logger.js';
import { ApiClient, type RequestLimiter } from '../../src/sources/api/api-client.js';
import { ApiSource } from '../../src/sources/api/api-source.js';
import type { ReflectorTuning } from '../../src/sources/api/reflector.js';
import { Backoff } from '../../src/runner/backoff.js';
import type { ObjectKind } from '../../src/model/objects.js';
import { TestApiServer, type TestApiServerOptions } from '../api-server/server.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  kv: KeyValues;
}

export function recordingLogger(): Logger & { lines: LogLine[]; count(msg: string): number } {
  const lines: LogLine[] = [];
  const put = (level: LogLine['level']) => (msg: string, kv: KeyValues = {}) => void lines.push({ level, msg, kv });
  return {
    lines,
    count: (msg) => lines.filter((l) => l.msg === msg).length,
    info: put('info'),
    warn: put('warn'),
    error: put('error'),
    v: () => ({ enabled: true, info: put('info') }),
  };
}

export const unlimited: RequestLimiter = { take: async () => undefined };

export function clientFor(server: TestApiServer, opts: { limiter?: RequestLimiter; requestIdleTimeoutMs?: number } = {}): ApiClient {
  return new ApiClient({
    access: { server: new URL(server.url), tls: { insecureSkipVerify: false }, auth: { kind: 'none' }, source: 'test' },
    limiter: opts.limiter ?? unlimited,
    userAgent: 'kproxy-test',
    ...(opts.requestIdleTimeoutMs ? { requestIdleTimeoutMs: opts.requestIdleTimeoutMs } : {}),
  });
}

/** Fast retries so outage scenarios take milliseconds. */
export function fastTuning(extra: ReflectorTuning = {}): ReflectorTuning {
  return { backoff: new Backoff({ initialMs: 10, maxMs: 50, jitter: 0 }), watchIdleTimeoutMs: 5000, ...extra };
}

export interface Rig {
  server: TestApiServer;
  source: ApiSource;
  logger: ReturnType<typeof recordingLogger>;
  close(): Promise<void>;
}

export async function startRig(opts: {
  server?: TestApiServerOptions;
  hostname?: string;
  serviceProxyName?: string;
  tuning?: (kind: ObjectKind) => ReflectorTuning;
  limiter?: RequestLimiter;
  requestIdleTimeoutMs?: number;
  seed?: (server: TestApiServer) => void;
} = {}): Promise<Rig> {
  const server = new TestApiServer(opts.server);
  opts.seed?.(server);
  await server.start();
  const logger = recordingLogger();
  const source = new ApiSource({
    transport: clientFor(server, opts),
    hostname: opts.hostname ?? 'node-a',
    serviceProxyName: opts.serviceProxyName ?? '',
    logger,
    tuningFor: opts.tuning ?? (() => fastTuning()),
  });
  return {
    server,
    source,
    logger,
    close: async () => {
      await source.stop();
      await server.stop();
    },
  };
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
