// Which packet tracer follows a connection through each mode's program. A mode without an entry has no
// tracer yet; `kproxy explain` then says so and still gives the model-level answer (match, endpoints,
// policy) instead of failing. Adding a mode's tracer is one entry here.

import type { ProxyMode } from '../dataplane/types.js';
import { IptablesTracer } from '../dataplane/iptables/tracer.js';
import { IpvsTracer } from '../dataplane/ipvs/tracer.js';
import { nftablesTracer } from '../dataplane/nftables/tracer.js';
import { userspaceTracer } from '../dataplane/userspace/tracer.js';
import type { PacketTracer } from './trace.js';

const TRACERS: Partial<Record<ProxyMode, PacketTracer<unknown>>> = {
  userspace: userspaceTracer as PacketTracer<unknown>,
  iptables: new IptablesTracer() as PacketTracer<unknown>,
  nftables: nftablesTracer as PacketTracer<unknown>,
  ipvs: new IpvsTracer() as PacketTracer<unknown>,
};

export function tracerFor(mode: ProxyMode): PacketTracer<unknown> | undefined {
  return Object.hasOwn(TRACERS, mode) ? TRACERS[mode] : undefined;
}

/** Modes with a tracer, sorted (for help text and messages). */
export function tracedModes(): ProxyMode[] {
  return (Object.keys(TRACERS) as ProxyMode[]).sort();
}
