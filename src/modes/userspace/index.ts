// The userspace data plane: an in-process L4 proxy (see README.md in this directory).

import type { DataPlane } from '../../dataplane/types.js';
import { UserspaceExecutor, type UserspaceExecutorOptions } from './executor.js';
import type { ListenerTable } from './listener-table.js';
import { UserspaceRenderer, type UserspaceRendererOptions } from './renderer.js';

export type UserspaceDataPlaneOptions = UserspaceRendererOptions & UserspaceExecutorOptions;

export function createUserspaceDataPlane(opts: UserspaceDataPlaneOptions): DataPlane<ListenerTable> {
  return { mode: 'userspace', renderer: new UserspaceRenderer(opts), executor: new UserspaceExecutor(opts) };
}

export { UserspaceExecutor, type UserspaceExecutorOptions, type ListenerHandle } from './executor.js';
export { UserspaceRenderer, renderListenerTable, type UserspaceRendererOptions } from './renderer.js';
export { formatListenerTable, listenerId, type ListenerSpec, type ListenerTable, type ListenerAction, type ListenerKind } from './listener-table.js';
export { isLocalAddress, renderPortalRestore, renderPortalCleanup, type PortalRule } from './portals.js';
export { PortalInstaller } from './portal-installer.js';
