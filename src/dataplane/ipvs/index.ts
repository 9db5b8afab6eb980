// The IPVS mode: upstream kube-proxy's IPVS proxier (virtual servers on kube-ipvs0, ipsets, companion
// iptables rules) as a pure renderer and a diffing executor. See README.md in this directory.

import { networkInterfaces } from 'node:os';
import { parseDuration } from '../../config/load.js';
import type { DataPlaneContext } from '../context.js';
import type { DataPlane } from '../types.js';
import { localAddressesOf, resolveNodePortAddresses } from '../../host/node-addresses.js';
import { staleUDPConntrackFor, type ConntrackCleanupOption } from '../../netfilter/conntrack-cleanup.js';
import { IpvsExecutor, type IpvsExecutorOptions } from './executor.js';
import type { IpvsProgram } from './program.js';
import { IpvsRenderer, type InterfaceAddress, type IpvsRendererOptions } from './renderer.js';

export { IpvsRenderer, DUMMY_DEVICE, type InterfaceAddress, type IpvsRendererOptions } from './renderer.js';
export { IpvsExecutor, type IpvsExecutorOptions } from './executor.js';
export type { IpvsProgram, FamilyIpvsProgram, VirtualServer, RealServer, IpsetContent } from './program.js';
export { formatIpvsProgram } from './format.js';
export { cleanupIpvs } from './cleanup.js';

/** The renderer's and the executor's options (each applies its own defaults); local addresses default to the interfaces'. */
export interface IpvsDataPlaneOptions extends IpvsRendererOptions, IpvsExecutorOptions, ConntrackCleanupOption {}

export interface IpvsDataPlane extends DataPlane<IpvsProgram> {
  readonly renderer: IpvsRenderer;
  readonly executor: IpvsExecutor;
}

export function createIpvsDataPlane(o: IpvsDataPlaneOptions = {}): IpvsDataPlane {
  const renderer = new IpvsRenderer({ ...o, localAddresses: o.localAddresses ?? interfaceAddresses });
  const conntrack = staleUDPConntrackFor({ ...o, families: o.families ?? ['IPv4'] });
  return { mode: 'ipvs', renderer, executor: new IpvsExecutor(o), ...(conntrack ? { conntrack } : {}) };
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
    nodePortAddresses: resolveNodePortAddresses(config.nodePortAddresses ?? [], ctx.nodeIPs, localAddressesOf(ctx.interfaceAddresses)),
    nodeIPs: ctx.nodeIPs,
    ...(ctx.interfaceAddresses ? { localAddresses: () => ctx.interfaceAddresses ?? [] } : {}),
    kernel: {
      strictARP: config.ipvs.strictARP,
      tcpTimeout: seconds(config.ipvs.tcpTimeout),
      tcpFinTimeout: seconds(config.ipvs.tcpFinTimeout),
      udpTimeout: seconds(config.ipvs.udpTimeout),
    },
    excludeCIDRs: config.ipvs.excludeCIDRs,
    iptablesBackend: ctx.kproxy.iptablesBackend ?? 'auto',
    defaultScheduler: config.ipvs.scheduler,
    logger: ctx.logger,
    syncRepairsTotal: ctx.metrics.syncRepairsTotal,
  });
}
