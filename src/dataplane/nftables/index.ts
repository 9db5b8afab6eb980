// The nftables mode: kproxy's own `kproxy` tables (ip and ip6), a fixed set of chains, and Services and
// endpoints as set/map elements only. See README.md in this directory for the rule graph.

import type { DataPlaneContext } from '../context.js';
import type { DataPlane } from '../types.js';
import type { Counter } from '../../observability/prometheus.js';
import { localAddressesOf, resolveNodePortAddresses } from '../../host/node-addresses.js';
import { staleUDPConntrackFor, type ConntrackCleanupOption } from '../../netfilter/conntrack-cleanup.js';
import { NftExecutor, type NftExecutorOptions } from './executor.js';
import type { NftProgram } from './program.js';
import { NftRenderer, type NftRendererOptions } from './renderer.js';

export { NftRenderer, type NftRendererOptions } from './renderer.js';
export { NftExecutor, NftSyncError } from './executor.js';
export { NftCommand, type NftRunner } from './nft-runner.js';
export { formatProgram, TABLE_NAME, type NftProgram, type FamilyProgram } from './program.js';
export { kernelScheduler } from './kernel-schedulers.js';

/** The renderer's and the executor's options; each applies its own defaults. */
export interface NftablesDataPlaneOptions extends NftRendererOptions, NftExecutorOptions, ConntrackCleanupOption {}

export interface NftablesDataPlane extends DataPlane<NftProgram> {
  readonly renderer: NftRenderer;
  readonly executor: NftExecutor;
}

export function createNftablesDataPlane(opts: NftablesDataPlaneOptions = {}): NftablesDataPlane {
  const conntrack = staleUDPConntrackFor({ ...opts, families: opts.families ?? ['IPv4', 'IPv6'] });
  return { mode: 'nftables', renderer: new NftRenderer(opts), executor: new NftExecutor(opts), ...(conntrack ? { conntrack } : {}) };
}

const FALLBACK_METRIC = 'kproxy_nftables_scheduler_fallbacks_total';

/** The registry's entry: options from the KubeProxyConfiguration (upstream's field names). */
export function createNftablesDataPlaneFor(ctx: DataPlaneContext): NftablesDataPlane {
  const { config } = ctx;
  let fallbacks: Counter<'scheduler'> | undefined;
  try {
    fallbacks = ctx.metrics.registry.counter({
      name: FALLBACK_METRIC,
      help: 'Service ports whose scheduler nftables cannot run in the kernel (they run the fallback of the scheduler table), or whose kproxy.io/scheduler is unknown (they run rr), by scheduler',
      labelNames: ['scheduler'],
    });
  } catch {
    // Registered already by an earlier data plane on the same registry: counting there is fine.
  }
  return createNftablesDataPlane({
    masqueradeBit: config.nftables.masqueradeBit,
    masqueradeAll: config.nftables.masqueradeAll,
    detectLocal: { mode: config.detectLocalMode, clusterCIDR: config.clusterCIDR, ...config.detectLocal },
    // As upstream (platformApplyDefaults): unset means `primary` in this mode, not every local address.
    nodePortAddresses: resolveNodePortAddresses(config.nodePortAddresses?.length ? config.nodePortAddresses : ['primary'], ctx.nodeIPs, localAddressesOf(ctx.interfaceAddresses)),
    nodeIPs: ctx.nodeIPs,
    logger: ctx.logger,
    metrics: {
      nftablesSyncFailuresTotal: ctx.metrics.nftablesSyncFailuresTotal,
      nftablesCleanupFailuresTotal: ctx.metrics.nftablesCleanupFailuresTotal,
      syncRepairsTotal: ctx.metrics.syncRepairsTotal,
      ...(fallbacks ? { schedulerFallbacksTotal: fallbacks } : {}),
    },
  });
}
