// kproxy's own HTTP load generator, for what ab and wrk cannot report: per-request duration *and* waiting
// time (time to first byte after the request was sent) at sub-millisecond resolution, with a new TCP
// connection per request, N clients in parallel for a fixed time or request count, and a count of which
// backend answered (the backends reply with their own address). Runs in the client namespace as
//   node http-load.js '{"host":"10.96.0.10","port":80,"concurrency":1,"seconds":10}'
// and prints one JSON line (HttpLoadResult).

import { connect } from 'node:net';
import { summarize, type Summary } from './statistics.js';

export interface HttpLoadSpec {
  host: string;
  port: number;
  concurrency: number;
  /** Stop after this long, or after `requests` requests, whichever is first. */
  seconds?: number;
  requests?: number;
  timeoutMs?: number;
}

export interface HttpLoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  requestsPerSecond: number;
  durationMs: Summary;
  waitingMs: Summary;
  connectMs: Summary;
  /** Answers per backend address. */
  backends: Record<string, number>;
}

interface Sample {
  connect: number;
  waiting: number;
  duration: number;
  body: string;
}

const now = () => performance.now();

function oneRequest(spec: HttpLoadSpec): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = now();
    let sent = 0;
    let connected = 0;
    let first = 0;
    let data = '';
    const socket = connect({ host: spec.host, port: spec.port });
    socket.setTimeout(spec.timeoutMs ?? 30_000, () => socket.destroy(new Error('timed out')));
    socket.once('connect', () => {
      connected = now();
      socket.write(`GET / HTTP/1.1\r\nHost: ${spec.host}\r\nConnection: close\r\n\r\n`, () => (sent = now()));
    });
    socket.on('data', (c: Buffer) => {
      if (first === 0) first = now();
      data += c.toString('latin1');
    });
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (hadError) return;
      if (!data.startsWith('HTTP/1.1 200')) return reject(new Error(`unexpected answer: ${data.slice(0, 80)}`));
      const end = now();
      const body = data.slice(data.indexOf('\r\n\r\n') + 4).trim();
      resolve({ connect: connected - start, waiting: first - (sent || connected), duration: end - start, body });
    });
  });
}

export async function runHttpLoad(spec: HttpLoadSpec): Promise<HttpLoadResult> {
  const samples: Sample[] = [];
  const backends: Record<string, number> = {};
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  const start = now();
  const deadline = spec.seconds !== undefined ? start + spec.seconds * 1000 : Number.POSITIVE_INFINITY;
  const limit = spec.requests ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (issued < limit && now() < deadline) {
      issued++;
      try {
        const s = await oneRequest(spec);
        samples.push(s);
        backends[s.body] = (backends[s.body] ?? 0) + 1;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const seconds = (now() - start) / 1000;
  return {
    requests: samples.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    requestsPerSecond: samples.length / seconds,
    durationMs: summarize(samples.map((s) => s.duration)),
    waitingMs: summarize(samples.map((s) => s.waiting)),
    connectMs: summarize(samples.map((s) => s.connect)),
    backends,
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as HttpLoadSpec;
  runHttpLoad(spec).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`http-load: ${String(e)}\n`);
      process.exit(1);
    },
  );
}
