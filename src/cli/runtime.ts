// What every command derives from the loaded configuration the same way: logger, mode, hostname, node IPs.

import { hostname as osHostname } from 'node:os';
import type { LoadedConfiguration } from '../config/load.js';
import type { ProxyMode } from '../dataplane/types.js';
import type { IPFamily } from '../model/types.js';
import { createLogger } from '../observability/logger.js';
import type { Logger } from '../observability/logger.js';
import { defaultMode } from '../dataplane/registry.js';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function loggerFor(loaded: LoadedConfiguration): Logger {
  const logging = loaded.config.logging ?? {};
  return createLogger({
    format: logging.format === 'json' ? 'json' : 'text',
    verbosity: Number(logging.verbosity ?? 0),
  });
}

export function resolveMode(loaded: LoadedConfiguration): ProxyMode {
  return (loaded.config.mode || defaultMode(isRoot())) as ProxyMode;
}

/** Upstream: --hostname-override, else the machine's hostname, lower-cased and trimmed. */
export function resolveHostname(loaded: LoadedConfiguration): string {
  const name = (loaded.config.hostnameOverride || osHostname()).trim().toLowerCase();
  return name;
}

/**
 * The node's IPs, as upstream detects them: a specific --bind-address first, then the Node object's
 * addresses, else loopback (upstream falls back the same way, with a warning).
 */
export function detectNodeIPs(loaded: LoadedConfiguration, nodeAddresses: readonly string[], logger: Logger): string[] {
  const bind = loaded.config.bindAddress;
  if (bind && bind !== '0.0.0.0' && bind !== '::') return [bind];
  if (nodeAddresses.length > 0) return [...new Set(nodeAddresses)];
  logger.info("Can't determine this node's IP, assuming loopback; if this is incorrect, please set the --bind-address flag");
  return ['127.0.0.1'];
}

/**
 * The IP families the mode programs, for the ip_family label of the metrics: nftables always writes both
 * families' tables; the other modes add IPv6 to IPv4 where the node or the cluster has IPv6 (the iptables
 * and ipvs factories decide the same way).
 */
export function servedIPFamilies(mode: ProxyMode, nodeIPs: readonly string[], clusterCIDR: string): IPFamily[] {
  const hasIPv6 = mode === 'nftables' || nodeIPs.some((ip) => ip.includes(':')) || clusterCIDR.includes(':');
  return hasIPv6 ? ['IPv4', 'IPv6'] : ['IPv4'];
}
