// Runs inside the node namespace (where kproxy's metrics listen) as
//   node sync-waiter.js --url URL --since-ms EPOCH_MS [--timeout-ms N] [--settle-ms N]
// and exits 0 once kproxy has completed a sync that started after `since` and has nothing queued behind it
// (kubeproxy_sync_proxy_rules_last_timestamp_seconds newer than `since`, and not older than
// ..._last_queued_timestamp_seconds), still true after a short settle so that a change spread over several
// files is in force as a whole. Exits 1 with the last thing it saw on timeout.

import { get } from 'node:http';
import { parseArgs } from 'node:util';
import { gaugeMs } from '../../src/observability/read-gauge.js';

const LAST = 'kubeproxy_sync_proxy_rules_last_timestamp_seconds';
const QUEUED = 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds';

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function syncedSince(url: string, sinceMs: number): Promise<string | true> {
  const text = await fetchText(url);
  const last = gaugeMs(text, LAST);
  const queued = gaugeMs(text, QUEUED, 'newest');
  if (last === undefined) return `${LAST} not reported yet`;
  if (last <= sinceMs) return `last sync at ${last} ms, not after ${sinceMs} ms`;
  if (queued !== undefined && queued > last) return `a change queued at ${queued} ms is not synced yet`;
  return true;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, 'since-ms': { type: 'string' }, 'timeout-ms': { type: 'string' }, 'settle-ms': { type: 'string' } },
  });
  const url = values.url ?? '';
  const sinceMs = Number(values['since-ms']);
  const deadline = Date.now() + Number(values['timeout-ms'] ?? 30_000);
  const settleMs = Number(values['settle-ms'] ?? 300);
  let lastSeen = 'nothing yet';
  let goodSince: number | undefined;
  while (Date.now() < deadline) {
    const state = await syncedSince(url, sinceMs).catch((e: Error) => `metrics: ${e.message}`);
    if (state === true) {
      goodSince ??= Date.now();
      if (Date.now() - goodSince >= settleMs) return;
    } else {
      goodSince = undefined;
      lastSeen = state;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stderr.write(`no completed sync after ${sinceMs} ms within the timeout: ${lastSeen}\n`);
  process.exit(1);
}

main().catch((err: unknown) => {
  process.stderr.write(`sync-waiter: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
