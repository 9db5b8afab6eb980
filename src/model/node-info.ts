// The proxy's own Node as the model exposes it.

import type { Node } from './objects.js';
import type { NodeInfo } from './types.js';

/** The taint the cluster autoscaler puts on a node it is about to remove (KEP-3836). */
export const TAINT_TO_BE_DELETED = 'ToBeDeletedByClusterAutoscaler';

export function nodeInfoFrom(node: Node | undefined, hostname: string): NodeInfo {
  const addresses = (node?.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => a.address);
  const podCIDRs = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const terminating =
    node?.metadata.deletionTimestamp !== undefined ||
    (node?.spec?.taints ?? []).some((t) => t.key === TAINT_TO_BE_DELETED);
  return Object.freeze({
    name: hostname,
    labels: Object.freeze({ ...(node?.metadata.labels ?? {}) }),
    addresses: Object.freeze([...new Set(addresses)]),
    podCIDRs: Object.freeze([...podCIDRs]),
    terminating,
  });
}
