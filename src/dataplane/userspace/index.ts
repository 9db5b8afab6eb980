// The userspace data plane: an in-process L4 proxy (see README.md in this directory).

import { parseDuration } from '../../config/load.js';
import { localAddressesOf, resolveNodePortAddresses } from '../../host/node-addresses.js';
import type { DataPlaneContext } from '../context.js';
import type { DataPlane } from '../types.js';
import { UserspaceExecutor, type UserspaceExecutorOptions } from './executor.js';
import type { ListenerTable } from './listener-table.js';
import { UserspaceRenderer, type UserspaceRendererOptions } from './renderer.js';

export type UserspaceDataPlaneOptions = UserspaceRendererOptions & UserspaceExecutorOptions;

export function createUserspaceDataPlane(opts: UserspaceDataPlaneOptions): DataPlane<ListenerTable> {
  return { mode: 'userspace', renderer: new UserspaceRenderer(opts), executor: new UserspaceExecutor(opts) };
}

/** The registry's entry: options from the KubeProxyConfiguration and kproxy's own flags. */
export function createUserspaceDataPlaneFor(ctx: DataPlaneContext): DataPlane<ListenerTable> {
  // Upstream's userspace proxier took --udp-timeout; conntrack's UDP timeout is the nearest field left.
  const udpTimeout = ctx.config.conntrack.udpTimeout ? parseDuration(ctx.config.conntrack.udpTimeout) : 0;
  const { userspaceConnectionsTotal, userspaceActiveConnections } = ctx.metrics;
  return createUserspaceDataPlane({
    nodePortAddresses: resolveNodePortAddresses(ctx.config.nodePortAddresses ?? [], ctx.nodeIPs, localAddressesOf(ctx.interfaceAddresses)),
    portals: ctx.kproxy.userspacePortals ?? (ctx.isRoot ? 'iptables' : 'none'),
    logger: ctx.logger,
    ...(udpTimeout > 0 ? { udpIdleTimeoutMs: udpTimeout } : {}),
    onConnection: (event, protocol) => {
      if (event === 'opened') userspaceConnectionsTotal.labels({ protocol }).inc();
      userspaceActiveConnections.labels({ protocol }).inc(event === 'opened' ? 1 : -1);
    },
  });
}

export { UserspaceExecutor, type UserspaceExecutorOptions, type ListenerHandle } from './executor.js';
export { UserspaceRenderer, renderListenerTable, type UserspaceRendererOptions } from './renderer.js';
export { formatListenerTable, listenerId, type ListenerSpec, type ListenerTable, type ListenerAction, type ListenerKind } from './listener-table.js';
export { isLocalAddress, renderPortalRestore, renderPortalCleanup, type PortalRule } from './portals.js';
export { PortalInstaller } from './portal-installer.js';
