// One namespace standing in for a node and its pods at once: a veth pair inside it (both ends up), the given
// addresses as /32s on one end and routes through it. Node-originated traffic to those addresses, or
// through a Service the routes send at the veth, stays in the namespace and is answered by whatever
// listens there. The nftables benchmark and the nftables and userspace kernel tests build on it.

import type { NamespaceSet } from './namespace-set.js';

export interface VethAddresses {
  /** The end the addresses go on (the other end is its peer). */
  readonly device: string;
  readonly peer: string;
  /** Addresses put on `device`, each a /32 unless it names its own prefix. */
  readonly addresses: readonly string[];
  /** CIDRs routed out through `device`. */
  readonly routes?: readonly string[];
}

export async function addVethAddresses<P extends string>(set: NamespaceSet<P>, place: P, v: VethAddresses): Promise<void> {
  const ip = (...args: string[]) => set.exec(place, 'ip', args);
  await ip('link', 'add', v.device, 'type', 'veth', 'peer', 'name', v.peer);
  for (const dev of [v.device, v.peer]) await ip('link', 'set', dev, 'up');
  for (const a of v.addresses) await ip('addr', 'add', a.includes('/') ? a : `${a}/32`, 'dev', v.device);
  for (const cidr of v.routes ?? []) await ip('route', 'add', cidr, 'dev', v.device);
}
