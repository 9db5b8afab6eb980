// `kproxy status`: one line per service port. With --from or --kubeconfig/--master it reads the state
// directly (what a proxy would serve, not yet applied); otherwise it asks the running kproxy on its metrics
// address (--metrics-bind-address, default 127.0.0.1:10249) for /status, which shows what is in force.

import type { LoadedConfiguration } from '../config/load.js';
import type { CommandFlags } from '../explain/command-flags.js';
import { loadStateOnce } from './load-once.js';
import { statusDocument, statusText, type StatusDocument } from '../explain/status-lines.js';
import { loggerFor, resolveHostname, resolveMode } from './runtime.js';

export async function runStatus(loaded: LoadedConfiguration, flags: CommandFlags): Promise<number> {
  const fail = (message: string): number => {
    process.stderr.write(`kproxy status: ${message}\n`);
    return 1;
  };
  if (flags.to !== undefined || flags.source !== undefined || flags.via !== undefined || flags.live) {
    return fail('--to, --source, --via and --live belong to `kproxy explain`');
  }
  let doc: StatusDocument;
  const direct = loaded.kproxy.from.length > 0 || Boolean(loaded.config.clientConnection.kubeconfig) || Boolean(loaded.master);
  if (direct) {
    const mode = resolveMode(loaded);
    try {
      const { model, recorded } = await loadStateOnce(loaded, resolveHostname(loaded), loggerFor(loaded));
      doc = statusDocument(mode, model.buildSnapshot(), model.errors(), undefined, (ns, slice) => recorded.serviceOfSlice(ns, slice));
    } catch (err) {
      return fail((err as Error).message);
    }
  } else {
    const url = statusURL(loaded.config.metricsBindAddress);
    if (url === undefined) return fail('the metrics server is disabled (--metrics-bind-address is empty); give --from or --kubeconfig to read the state directly');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) return fail(`${url}: HTTP ${res.status} (is the process on that address a kproxy of this version?)`);
      doc = (await res.json()) as StatusDocument;
    } catch (err) {
      return fail(`cannot read ${url}: ${(err as Error).message}; is kproxy running with this --metrics-bind-address? Give --from or --kubeconfig to read the state directly`);
    }
  }
  process.stdout.write(flags.output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : statusText(doc));
  return 0;
}

/** http://HOST:PORT/status for a bind address; a wildcard host is reached through loopback. */
export function statusURL(bindAddress: string): string | undefined {
  if (!bindAddress) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(bindAddress);
  if (!m) return undefined;
  let host = m[1] ?? m[2] ?? '';
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${m[3]}/status`;
}
