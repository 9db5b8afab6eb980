// Reads wrk's output (`wrk --latency`): requests/s, transfer, socket errors, the thread latency line and the
// latency distribution (50/75/90/99 %). wrk prints durations with units (us, ms, s, m); all come back in ms.

export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; stdev: number; max: number };
  /** Percentile (50, 75, 90, 99) to ms, from the --latency distribution; empty without it. */
  percentilesMs: Record<string, number>;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms" → 1.23; "850.00us" → 0.85. */
export function wrkDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`not a wrk duration: ${JSON.stringify(text)} (expected a number with us, ms, s, m or h)`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function parseWrkOutput(text: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const latency = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  if (!total || !rps || !latency) {
    throw new Error(`not wrk output (no "N requests in", "Requests/sec" or "Latency" line): ${text.slice(0, 300)}`);
  }
  const percentilesMs: Record<string, number> = {};
  for (const m of text.matchAll(/^\s+(\d+(?:\.\d+)?)%\s+(\S+)\s*$/gm)) percentilesMs[String(Number(m[1]))] = wrkDurationMs(m[2]!);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    durationSeconds: wrkDurationMs(`${total[2]}${total[3]}`) / 1000,
    requestsPerSecond: Number(rps[1]),
    latencyMs: { mean: wrkDurationMs(latency[1]!), stdev: wrkDurationMs(latency[2]!), max: wrkDurationMs(latency[3]!) },
    percentilesMs,
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
    non2xx: Number(non2xx?.[1] ?? 0),
  };
}
