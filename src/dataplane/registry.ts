// Every proxy mode, by name. A mode module exports a factory that turns the shared run-time context into
// a DataPlane; the CLI, `render`, `cleanup` and the benchmarks all go through here, so adding a mode is one
// entry in MODE_FACTORIES.

import type { DataPlaneContext } from './context.js';
import type { DataPlane, ProxyMode } from './types.js';
import { createUserspaceDataPlaneFor } from './userspace/index.js';
import { createIptablesDataPlaneFor } from './iptables/index.js';
import { createNftablesDataPlaneFor } from './nftables/index.js';
import { createIpvsDataPlaneFor } from './ipvs/index.js';

type ModeFactory = (ctx: DataPlaneContext) => DataPlane;

const MODE_FACTORIES: Partial<Record<ProxyMode, ModeFactory>> = {
  userspace: createUserspaceDataPlaneFor,
  iptables: createIptablesDataPlaneFor,
  nftables: createNftablesDataPlaneFor,
  ipvs: createIpvsDataPlaneFor,
};

/** Modes this build can run. The others are accepted by the configuration but refused at start. */
export function availableModes(): ProxyMode[] {
  return (Object.keys(MODE_FACTORIES) as ProxyMode[]).sort();
}

export class ModeUnavailableError extends Error {
  readonly code = 'KPROXY_MODE_UNAVAILABLE';
}

export type { DataPlaneContext } from './context.js';

export function createDataPlane(mode: ProxyMode, ctx: DataPlaneContext): DataPlane {
  const factory = MODE_FACTORIES[mode];
  if (!factory) {
    throw new ModeUnavailableError(
      `proxy mode "${mode}" is not available in this build of kproxy; available: ${availableModes().join(', ')}`,
    );
  }
  return factory(ctx);
}

/**
 * The mode used when --proxy-mode is empty: upstream's default (iptables) when root and available,
 * otherwise userspace, which needs no privileges.
 */
export function defaultMode(isRoot: boolean): ProxyMode {
  return isRoot && MODE_FACTORIES.iptables ? 'iptables' : 'userspace';
}
