// The iptables mode: upstream kube-proxy's rule layout, rendered from a Snapshot by a pure renderer and
// applied with iptables-restore by a thin executor. See README.md in this directory for the rule graph.

import { readFileSync } from 'node:fs';
import type { DataPlaneContext } from '../context.js';
import type { DataPlane } from '../types.js';
import { localAddressesOf, resolveNodePortAddresses } from '../../host/node-addresses.js';
import { staleUDPConntrackFor, type ConntrackCleanupOption } from '../../netfilter/conntrack-cleanup.js';
import { IptablesExecutor, type IptablesExecutorOptions } from './executor.js';
import type { IptablesProgram } from './program.js';
import { IptablesRenderer, type IptablesRendererOptions } from './renderer.js';

export { IptablesRenderer, IptablesFamilyRenderer, LARGE_CLUSTER_ENDPOINTS } from './renderer.js';
export { IptablesExecutor, RestoreError } from './executor.js';
export type { IptablesProgram, FamilyProgram } from './program.js';
export type { TableProgram } from '../../netfilter/restore-writer.js';
export { serviceChains, endpointChain, servicePortNameString } from './chain-names.js';

/**
 * The renderer's and the executor's options (each applies its own defaults). conntrackTCPLiberal defaults
 * to the kernel's net.netfilter.nf_conntrack_tcp_be_liberal.
 */
export interface IptablesDataPlaneOptions extends IptablesRendererOptions, IptablesExecutorOptions, ConntrackCleanupOption {}

export interface IptablesDataPlane extends DataPlane<IptablesProgram> {
  readonly renderer: IptablesRenderer;
  readonly executor: IptablesExecutor;
}

export function createIptablesDataPlane(opts: IptablesDataPlaneOptions = {}): IptablesDataPlane {
  const liberal = opts.conntrackTCPLiberal ?? (opts.netns ? false : conntrackIsLiberal());
  if (liberal) opts.logger?.info('nf_conntrack_tcp_be_liberal set, not installing DROP rules for INVALID packets');
  const renderer = new IptablesRenderer({ ...opts, conntrackTCPLiberal: liberal });
  const conntrack = staleUDPConntrackFor({ ...opts, families: opts.families ?? ['IPv4'] });
  return { mode: 'iptables', renderer, executor: new IptablesExecutor(opts), ...(conntrack ? { conntrack } : {}) };
}

/** The registry's entry: options from the KubeProxyConfiguration (upstream's field names). */
export function createIptablesDataPlaneFor(ctx: DataPlaneContext): IptablesDataPlane {
  const { config } = ctx;
  // IPv6 rules only where the node or the cluster has IPv6: ip6tables may be unusable elsewhere.
  const dualStack = ctx.nodeIPs.some((ip) => ip.includes(':')) || config.clusterCIDR.includes(':');
  return createIptablesDataPlane({
    families: dualStack ? ['IPv4', 'IPv6'] : ['IPv4'],
    masqueradeBit: config.iptables.masqueradeBit,
    masqueradeAll: config.iptables.masqueradeAll,
    localhostNodePorts: config.iptables.localhostNodePorts,
    detectLocal: { mode: config.detectLocalMode, clusterCIDR: config.clusterCIDR, ...config.detectLocal },
    nodePortAddresses: resolveNodePortAddresses(config.nodePortAddresses ?? [], ctx.nodeIPs, localAddressesOf(ctx.interfaceAddresses)),
    nodeIPs: ctx.nodeIPs,
    backend: ctx.kproxy.iptablesBackend ?? 'auto',
    logger: ctx.logger,
    metrics: ctx.metrics,
  });
}

/** Upstream skips the INVALID-drop rule when the kernel already accepts out-of-window TCP packets. */
function conntrackIsLiberal(): boolean {
  try {
    return readFileSync('/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal', 'utf8').trim() !== '0';
  } catch {
    return false;
  }
}
