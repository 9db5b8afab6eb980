// `kproxy [flags]`: the long-running proxy. Order of start-up follows upstream's ProxyServer: log the
// version and the mode, start the health and metrics servers, start the sources, and program nothing until
// every source has delivered its initial state.

import type { LoadedConfiguration } from '../config/load.js';
import { effectiveSyncPeriods } from '../config/load.js';
import { createDataPlane } from '../dataplane/registry.js';
import { defaultSchedulerFor } from '../schedulers/scheduler-table.js';
import { ServiceModel } from '../model/service-model.js';
import { startHealthServer } from '../health/health-server.js';
import { createProxyMetrics } from '../observability/metrics.js';
import { startMetricsServer } from '../observability/metrics-server.js';
import { ProxyHealth } from '../health/proxy-health.js';
import { Proxier } from '../proxier/proxier.js';
import { reportRejectedInput } from '../proxier/rejected-input.js';
import { applyConntrackSettings } from '../netfilter/conntrack-sysctls.js';
import { ServiceHealthServer } from '../health/service-health-server.js';
import { AppliedChanges, statusDocument } from '../explain/status-lines.js';
import { createApiSource } from '../sources/api/from-configuration.js';
import { FileSource } from '../sources/file-source.js';
import type { Source } from '../sources/types.js';
import { detectNodeIPs, isRoot, loggerFor, resolveHostname, resolveMode, servedIPFamilies } from './runtime.js';
import { kproxyVersion } from './version.js';

export async function runProxy(loaded: LoadedConfiguration): Promise<number> {
  const { config, kproxy } = loaded;
  const logger = loggerFor(loaded);
  logger.info('Version info', { version: kproxyVersion() });
  const mode = resolveMode(loaded);
  const hostname = resolveHostname(loaded);

  let source: Source;
  try {
    source =
      kproxy.from.length > 0
        ? new FileSource({ paths: kproxy.from, logger })
        : await createApiSource({ loaded, hostname, logger, userAgent: `kproxy/${kproxyVersion()}` });
  } catch (err) {
    logger.error('Failed to create the API client', { err: (err as Error).message });
    return 1;
  }

  const defaultScheduler = defaultSchedulerFor(mode, config.ipvs.scheduler);
  if ((mode === 'ipvs' || mode === 'userspace') && !config.ipvs.scheduler) {
    logger.info(`IPVS scheduler not specified, use ${defaultScheduler} by default`);
  }
  const model = new ServiceModel({ hostname, defaultScheduler, serviceProxyName: kproxy.serviceProxyName, allowLoopbackEndpoints: mode === 'userspace' });
  const metrics = createProxyMetrics({ mode });
  reportRejectedInput(model, metrics, logger);
  const { syncPeriodMs, minSyncPeriodMs } = effectiveSyncPeriods(config, mode);
  const health = new ProxyHealth({ healthTimeoutMs: 2 * syncPeriodMs });

  const applied = new AppliedChanges();
  const closers: (() => Promise<void>)[] = [];
  try {
    if (config.healthzBindAddress) {
      const server = await startHealthServer(config.healthzBindAddress, health, metrics, logger);
      closers.push(() => server.close());
    }
    if (config.metricsBindAddress) {
      const server = await startMetricsServer(config.metricsBindAddress, {
        metrics,
        mode,
        configz: () => config,
        status: () => statusDocument(mode, applied.snapshot(), model.errors(), applied),
      });
      closers.push(() => server.close());
    }
  } catch (err) {
    // Upstream retries a failing server every 5 s unless bindAddressHardFail; a port clash at start is
    // almost always a second instance, so say so and, with hard-fail, stop.
    logger.error('Failed to start the health or metrics server', { err: (err as Error).message });
    if (config.bindAddressHardFail) return 1;
  }

  // The Node object (when a source provides one) refines node IPs and topology; read it from the model
  // once the source has synced.
  closers.push(() => source.stop());
  try {
    await source.start(model);
  } catch (err) {
    // A --from path that cannot be read: nothing would ever be served, so say why and stop.
    logger.error('Failed to start the source', { source: source.name, err: (err as Error).message });
    await closeAll(closers);
    return 1;
  }
  const nodeIPs = detectNodeIPs(loaded, model.node().addresses, logger);
  logger.info('Successfully retrieved node IP(s)', { IPs: nodeIPs });
  metrics.setIPFamilies(servedIPFamilies(mode, nodeIPs, config.clusterCIDR));

  let dataPlane;
  try {
    dataPlane = createDataPlane(mode, { config, kproxy, logger, metrics, nodeIPs, isRoot: isRoot() });
    await dataPlane.executor.preflight?.();
  } catch (err) {
    logger.error('Failed to create proxier', { err: (err as Error).message });
    await closeAll(closers);
    return 1;
  }
  logger.info(`Using ${mode} Proxier`);
  if (mode !== 'userspace' && isRoot()) await applyConntrackSettings(config.conntrack, logger);
  if (loaded.initOnly) {
    logger.info('Initialization complete (--init-only), exiting');
    await closeAll(closers);
    return 0;
  }

  const serviceHealth = new ServiceHealthServer({ isProxyHealthy: () => health.health().healthy, logger });
  closers.push(() => serviceHealth.close());
  const proxier = new Proxier({
    model,
    dataPlane,
    sources: [source.name],
    syncPeriodMs,
    minSyncPeriodMs,
    logger,
    metrics,
    health,
    serviceHealth,
    onApplied: (snapshot, atMs) => applied.record(snapshot, atMs),
  });
  proxier.start();
  proxier.requestSync();

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('Received signal, shutting down', { signal });
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await proxier.stop();
  await dataPlane.executor.close();
  await closeAll(closers);
  return 0;
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}
