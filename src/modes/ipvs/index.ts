// The IPVS mode: upstream kube-proxy's IPVS proxier (virtual servers on kube-ipvs0, ipsets, companion
// iptables rules) as a pure renderer and a diffing executor. See README.md in this directory.

import { networkInterfaces } from 'node:os';
import { parseDuration } from '../../config/load.js';
import type { DataPlane } from '../../dataplane/types.js';
import type { IPFamily } from '../../model/types.js';
import type { Logger } from '../../observability/logger.js';
import { resolveNodePortAddresses } from '../../proxier/node-addresses.js';
import type { BackendChoice } from '../iptables/backend.js';
import type { DetectLocalOptions } from '../iptables/local-detector.js';
import type { DataPlaneContext } from '../registry.js';
import { IpvsExecutor } from './executor.js';
import type { KernelSettings } from './kernel-setup.js';
import type { IpvsProgram } from './program.js';
import { IpvsRenderer, type InterfaceAddress } from './renderer.js';

export { IpvsRenderer, DUMMY_DEVICE, type InterfaceAddress, type IpvsRendererOptions } from './renderer.js';
export { IpvsExecutor, type IpvsExecutorOptions } from './executor.js';
export type { IpvsProgram, FamilyIpvsProgram, VirtualServer, RealServer, IpsetContent } from './program.js';
export { formatIpvsProgram } from './format.js';
export { cleanupIpvs } from './cleanup.js';

export interface IpvsDataPlaneOptions {
  readonly families?: readonly IPFamily[];
  readonly masqueradeBit?: number;
  readonly masqueradeAll?: boolean;
  readonly detectLocal?: DetectLocalOptions;
  readonly nodePortAddresses?: readonly string[];
  readonly nodeIPs?: readonly string[];
  readonly localAddresses?: () => readonly InterfaceAddress[];
  readonly kernel?: KernelSettings;
  readonly excludeCIDRs?: readonly string[];
  readonly iptablesBackend?: BackendChoice;
  readonly gracefulCheckIntervalMs?: number;
  /** --ipvs-scheduler (default rr), proven at start by the executor's preflight. */
  readonly defaultScheduler?: string;
  readonly netns?: string;
  readonly logger?: Logger;
}

export interface IpvsDataPlane extends DataPlane<IpvsProgram> {
  readonly renderer: IpvsRenderer;
  readonly executor: IpvsExecutor;
}

export function createIpvsDataPlane(o: IpvsDataPlaneOptions = {}): IpvsDataPlane {
  const renderer = new IpvsRenderer({
    ...(o.families ? { families: o.families } : {}),
    ...(o.masqueradeBit !== undefined ? { masqueradeBit: o.masqueradeBit } : {}),
    masqueradeAll: o.masqueradeAll ?? false,
    ...(o.detectLocal ? { detectLocal: o.detectLocal } : {}),
    nodePortAddresses: o.nodePortAddresses ?? [],
    nodeIPs: o.nodeIPs ?? [],
    localAddresses: o.localAddresses ?? interfaceAddresses,
  });
  const executor = new IpvsExecutor({
    ...(o.netns ? { netns: o.netns } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.kernel ? { kernel: o.kernel } : {}),
    excludeCIDRs: o.excludeCIDRs ?? [],
    iptablesBackend: o.iptablesBackend ?? 'auto',
    ...(o.gracefulCheckIntervalMs ? { gracefulCheckIntervalMs: o.gracefulCheckIntervalMs } : {}),
    ...(o.defaultScheduler ? { defaultScheduler: o.defaultScheduler } : {}),
  });
  return { mode: 'ipvs', renderer, executor };
}

/** This process's network namespace's addresses, with their interfaces. */
export function interfaceAddresses(): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) for (const a of list ?? []) out.push({ address: a.address, interface: name });
  return out;
}

const seconds = (d: string) => Math.floor(parseDuration(d || '0s') / 1000);

/** The registry's entry: options from the KubeProxyConfiguration, upstream's field names. */
export function createIpvsDataPlaneFor(ctx: DataPlaneContext): IpvsDataPlane {
  const { config } = ctx;
  const dualStack = ctx.nodeIPs.some((ip) => ip.includes(':')) || config.clusterCIDR.includes(':');
  return createIpvsDataPlane({
    families: dualStack ? ['IPv4', 'IPv6'] : ['IPv4'],
    masqueradeBit: config.iptables.masqueradeBit,
    masqueradeAll: config.iptables.masqueradeAll,
    detectLocal: { mode: config.detectLocalMode, clusterCIDR: config.clusterCIDR, ...config.detectLocal },
    nodePortAddresses: resolveNodePortAddresses(config.nodePortAddresses ?? [], ctx.nodeIPs),
    nodeIPs: ctx.nodeIPs,
    kernel: {
      strictARP: config.ipvs.strictARP,
      tcpTimeout: seconds(config.ipvs.tcpTimeout),
      tcpFinTimeout: seconds(config.ipvs.tcpFinTimeout),
      udpTimeout: seconds(config.ipvs.udpTimeout),
    },
    excludeCIDRs: config.ipvs.excludeCIDRs,
    iptablesBackend: ctx.kproxy.iptablesBackend ?? 'auto',
    defaultScheduler: config.ipvs.scheduler || 'rr',
    logger: ctx.logger,
  });
}
