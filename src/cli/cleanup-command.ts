// `kproxy cleanup` and `kproxy --cleanup`: remove everything any kproxy mode installed, whatever mode is
// configured now, as upstream's --cleanup does for iptables, ipvs and nftables alike.

import type { LoadedConfiguration } from '../config/load.js';
import { availableModes, createDataPlane } from '../dataplane/registry.js';
import { createProxyMetrics } from '../observability/metrics.js';
import { isRoot, loggerFor } from './runtime.js';

export async function runCleanup(loaded: LoadedConfiguration): Promise<number> {
  const logger = loggerFor(loaded);
  // Without root every mode's state is out of reach (iptables, nftables and IPVS answer "permission
  // denied"), and a mode that tolerates errors would report "Cleaned up" over them; say so once instead.
  if (!isRoot()) {
    logger.error('Cleanup needs root: it removes the iptables, nftables and IPVS state kproxy installed; run it as root');
    return 1;
  }
  let failed = 0;
  for (const mode of availableModes()) {
    const dataPlane = createDataPlane(mode, {
      config: loaded.config,
      kproxy: loaded.kproxy,
      logger,
      metrics: createProxyMetrics(),
      nodeIPs: [],
      isRoot: isRoot(),
    });
    try {
      await dataPlane.executor.cleanup();
      logger.info('Cleaned up', { mode });
    } catch (err) {
      failed++;
      logger.error('Cleanup failed', { mode, err: (err as Error).message });
    }
  }
  return failed > 0 ? 1 : 0;
}
