// Which backends a client of one listener may get. Under externalTrafficPolicy Local upstream sends this
// node's pods and the node itself to every endpoint of the Service and holds only other clients to the
// local ones (its KUBE-EXT short-circuit); a listener with an InClusterRoute does the same by the client's
// address, per TCP connection or UDP flow. Each set has its own scheduler and affinity (a client always
// lands in the same set, so its affinity stays in one place); connection counts are shared, so lc and
// friends see every connection a backend carries.

import { isIP, type BlockList } from 'node:net';
import { ConnectionCounter } from '../../schedulers/connection-counts.js';
import { BackendPicker, blockListOf, unmapped } from './backend-picker.js';
import type { ListenerSpec } from './listener-table.js';

export class SourceRoutedPicker {
  readonly counts: ConnectionCounter;
  /** Clients outside the cluster: the listener's `backends`. */
  private readonly outside: BackendPicker;
  private inCluster: BackendPicker | undefined;
  private pods: BlockList | undefined;

  /** `isNodeAddress`: whether a client address is one of this node's own (upstream's `--src-type LOCAL`). */
  constructor(
    spec: ListenerSpec,
    private readonly now: () => number,
    onFallback: (message: string) => void,
    private readonly isNodeAddress: (ip: string) => boolean,
  ) {
    this.counts = new ConnectionCounter({ now });
    this.outside = new BackendPicker(spec, now, onFallback, this.counts);
    this.update(spec);
  }

  /** Take the listener's new backend sets; returns the ids now in neither (their traffic must drain). */
  update(spec: ListenerSpec): string[] {
    const gone = new Set(this.outside.update(spec));
    const route = spec.inCluster;
    if (route) {
      // The scheduler-fallback warning is the outside picker's to give; one per listener is enough.
      const inSpec: ListenerSpec = { ...spec, backends: route.backends, sourceRanges: [] };
      if (this.inCluster) for (const id of this.inCluster.update(inSpec)) gone.add(id);
      else this.inCluster = new BackendPicker(inSpec, this.now, () => undefined, this.counts);
      this.pods = route.podCIDRs.length > 0 ? blockListOf(route.podCIDRs) : undefined;
    } else if (this.inCluster) {
      for (const id of this.inCluster.backendIds()) gone.add(id);
      this.inCluster = undefined;
      this.pods = undefined;
    }
    return [...gone].filter((id) => !this.has(id));
  }

  /** Whether either set still holds the backend. */
  has(backendId: string): boolean {
    return this.outside.has(backendId) || (this.inCluster?.has(backendId) ?? false);
  }

  /** loadBalancerSourceRanges apply to every client, in-cluster ones included (upstream's firewall chain comes first). */
  admits(clientIP: string): boolean {
    return this.outside.admits(clientIP);
  }

  /** The picker serving `clientIP`; an empty one means the client's traffic is dropped. */
  forClient(clientIP: string): BackendPicker {
    if (!this.inCluster) return this.outside;
    return this.isInCluster(unmapped(clientIP)) ? this.inCluster : this.outside;
  }

  private isInCluster(ip: string): boolean {
    if (this.pods?.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')) return true;
    return this.isNodeAddress(ip);
  }
}
