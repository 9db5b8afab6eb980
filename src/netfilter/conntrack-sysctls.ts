// Upstream kube-proxy tunes conntrack at start in its kernel modes (server_linux.go): the table size from
// --conntrack-max-per-core × CPUs (at least --conntrack-min), TCP timeouts, be-liberal and UDP timeouts.
// A value of 0 leaves the kernel's setting alone. Failures are logged, not fatal: inside a container
// /proc/sys is often read-only and the node's own settings then stand.

import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { KubeProxyConfiguration } from '../config/types.js';
import { parseDuration } from '../config/load.js';
import type { Logger } from '../observability/logger.js';

const NETFILTER = '/proc/sys/net/netfilter';
const HASHSIZE = '/sys/module/nf_conntrack/parameters/hashsize';

/** The sysctl writes upstream would make, as [path, value] pairs, in order. */
export function conntrackSettings(c: KubeProxyConfiguration['conntrack'], cpus = availableParallelism()): [string, string][] {
  const out: [string, string][] = [];
  const max = c.maxPerCore > 0 ? Math.max(c.maxPerCore * cpus, c.min) : 0;
  if (max > 0) out.push([`${NETFILTER}/nf_conntrack_max`, String(max)]);
  const seconds = (d: string | undefined) => (d ? Math.floor(parseDuration(d) / 1000) : 0);
  const timeouts: [string, string | undefined][] = [
    ['nf_conntrack_tcp_timeout_established', c.tcpEstablishedTimeout],
    ['nf_conntrack_tcp_timeout_close_wait', c.tcpCloseWaitTimeout],
    ['nf_conntrack_udp_timeout', c.udpTimeout],
    ['nf_conntrack_udp_timeout_stream', c.udpStreamTimeout],
  ];
  for (const [name, value] of timeouts) if (seconds(value) > 0) out.push([`${NETFILTER}/${name}`, String(seconds(value))]);
  if (c.tcpBeLiberal) out.push([`${NETFILTER}/nf_conntrack_tcp_be_liberal`, '1']);
  return out;
}

export async function applyConntrackSettings(c: KubeProxyConfiguration['conntrack'], logger: Logger): Promise<void> {
  for (const [path, value] of conntrackSettings(c)) {
    try {
      await writeFile(path, value);
      logger.info('Set sysctl', { entry: path.slice('/proc/sys/'.length).replaceAll('/', '.'), value });
    } catch (err) {
      logger.warn('Failed to set sysctl', { entry: path, value, err: (err as Error).message });
      continue;
    }
    // Upstream also grows the hash table to a quarter of the maximum when it is smaller.
    if (path.endsWith('nf_conntrack_max')) await growHashsize(Number(value), logger);
  }
}

async function growHashsize(max: number, logger: Logger): Promise<void> {
  const want = Math.floor(max / 4);
  const current = Number((await readFile(HASHSIZE, 'utf8').catch(() => '0')).trim());
  if (current >= want) return;
  await writeFile(HASHSIZE, String(want)).then(
    () => logger.info('Setting conntrack hashsize', { hashsize: want }),
    (err: Error) => logger.warn('Failed to set conntrack hashsize', { hashsize: want, err: err.message }),
  );
}
