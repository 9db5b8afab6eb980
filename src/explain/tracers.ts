// Which packet tracer follows a connection through each mode's program. A mode without an entry has no
// tracer yet; `kproxy explain` then says so and still gives the model-level answer (match, endpoints,
// policy) instead of failing. Adding a mode's tracer is one entry here.

import type { ProxyMode } from '../dataplane/types.js';
import type { PacketTracer } from './trace.js';
import { nftablesTracer } from '../dataplane/nftables/tracer.js';

const TRACERS: Partial<Record<ProxyMode, PacketTracer<unknown>>> = {
  nftables: nftablesTracer,
};

export function tracerFor(mode: ProxyMode): PacketTracer<unknown> | undefined {
  return Object.hasOwn(TRACERS, mode) ? TRACERS[mode] : undefined;
}

/** Modes with a tracer, sorted (for help text and messages). */
export function tracedModes(): ProxyMode[] {
  return (Object.keys(TRACERS) as ProxyMode[]).sort();
}
