// The run-time context every mode's factory receives (dataplane/registry.ts). Apart from types.ts so the
// contract itself depends on nothing but the model.

import type { KubeProxyConfiguration, KproxyOptions } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import type { InterfaceAddress } from '../host/node-addresses.js';

/** What every mode's factory gets from the CLI: the configuration, logging, metrics and node facts. */
export interface DataPlaneContext {
  config: KubeProxyConfiguration;
  kproxy: KproxyOptions;
  logger: Logger;
  metrics: ProxyMetrics;
  /** The node's own IPs (primary first), for --nodeport-addresses=primary. */
  nodeIPs: readonly string[];
  isRoot: boolean;
  /**
   * The addresses of the network namespace the mode programs (for --nodeport-addresses CIDRs and IPVS's
   * local addresses). Absent: read from this machine. Given when rendering for a node elsewhere (explain).
   */
  interfaceAddresses?: readonly InterfaceAddress[];
}
