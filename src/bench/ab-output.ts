// Reads ApacheBench (`ab`) output: the summary lines (requests/s, failures) and the "Connection Times (ms)"
// table (Connect / Processing / Waiting / Total with min, mean, sd, median, max), which is what the UK8S
// scale test published.

export interface AbTimes {
  min: number;
  mean: number;
  sd: number;
  median: number;
  max: number;
}

export type AbPhase = 'connect' | 'processing' | 'waiting' | 'total';

export interface AbResult {
  completeRequests: number;
  failedRequests: number;
  /** Failures that are only a body length different from the first answer's (backends answering with their own address). */
  lengthFailures: number;
  /** Non-2xx answers: ab counts them apart from failures. */
  non2xx: number;
  requestsPerSecond: number;
  timeTakenSeconds: number;
  times: Record<AbPhase, AbTimes>;
}

function numberAfter(text: string, label: string): number | undefined {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(label));
  if (line === undefined) return undefined;
  const m = /(-?\d+(?:\.\d+)?)/.exec(line.slice(line.indexOf(label) + label.length));
  return m ? Number(m[1]) : undefined;
}

function timesRow(text: string, label: string): AbTimes {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${label}:`));
  const cells = line?.split(':')[1]?.trim().split(/\s+/).map(Number) ?? [];
  if (cells.length < 5 || cells.some((c) => !Number.isFinite(c))) {
    throw new Error(`ab output has no usable "${label}:" row in its Connection Times table (got ${JSON.stringify(line ?? null)})`);
  }
  const [min, mean, sd, median, max] = cells as [number, number, number, number, number];
  return { min, mean, sd, median, max };
}

export function parseAbOutput(text: string): AbResult {
  const complete = numberAfter(text, 'Complete requests:');
  const rps = numberAfter(text, 'Requests per second:');
  if (complete === undefined || rps === undefined) {
    throw new Error(`not ab output (no "Complete requests" / "Requests per second" lines): ${text.slice(0, 300)}`);
  }
  return {
    completeRequests: complete,
    failedRequests: numberAfter(text, 'Failed requests:') ?? 0,
    lengthFailures: Number(/\(Connect: \d+, Receive: \d+, Length: (\d+), Exceptions: \d+\)/.exec(text)?.[1] ?? 0),
    non2xx: numberAfter(text, 'Non-2xx responses:') ?? 0,
    requestsPerSecond: rps,
    timeTakenSeconds: numberAfter(text, 'Time taken for tests:') ?? Number.NaN,
    times: {
      connect: timesRow(text, 'Connect'),
      processing: timesRow(text, 'Processing'),
      waiting: timesRow(text, 'Waiting'),
      total: timesRow(text, 'Total'),
    },
  };
}
