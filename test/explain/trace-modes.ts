// Which modes the explain check traces, each with the flow suite's adapter for that mode (its byMode keys
// and its exact command line) and the scenarios that mode's flow suite runs. The tracers come from
// explain's registry; a mode without one is reported as skipped, with the reason.

import type { PacketTracer } from '../../src/explain/trace.js';
import { userspaceTracer } from '../../src/dataplane/userspace/tracer.js';
import type { ProxyMode } from '../../src/dataplane/types.js';
import { tracerFor as registeredTracer } from '../../src/explain/tracers.js';
import { iptablesAdapter, nftablesAdapter, userspaceAdapter, type ModeAdapter } from '../flow/mode-adapter.js';
import type { Scenario } from '../flow/scenario.js';
import { SCENARIOS } from '../flow/scenarios.js';
import { ipvsAdapter } from '../ipvs/ipvs-adapter.js';
import { IPVS_SCENARIOS } from '../ipvs/ipvs-scenarios.js';

export interface TraceMode {
  readonly mode: ProxyMode;
  /** The flow suite's adapter: byMode keys (modeKeys) and proxy flags (proxyArgs). */
  readonly adapter: ModeAdapter;
  readonly scenarios: readonly Scenario[];
}

export const TRACE_MODES: readonly TraceMode[] = [
  { mode: 'userspace', adapter: userspaceAdapter, scenarios: SCENARIOS },
  { mode: 'iptables', adapter: iptablesAdapter, scenarios: SCENARIOS },
  { mode: 'nftables', adapter: nftablesAdapter, scenarios: SCENARIOS },
  // The IPVS flow suite (inside user-mode Linux) runs the IPVS-only scenarios too.
  { mode: 'ipvs', adapter: ipvsAdapter, scenarios: [...SCENARIOS, ...IPVS_SCENARIOS] },
];

// Until explain's registry (src/explain/tracers.ts) lands: the tracers written so far.
const TRACERS: Partial<Record<ProxyMode, PacketTracer<never>>> = { userspace: userspaceTracer };

/** The mode's tracer, or undefined when explain has none yet. */
export function tracerFor(mode: ProxyMode): PacketTracer<unknown> | undefined {
  return (TRACERS[mode] as PacketTracer<unknown> | undefined) ?? registeredTracer(mode);
}
