// What kubeproxy_sync_proxy_rules_no_local_endpoints_total counts, the same for every mode: service ports
// that have endpoints somewhere but none on this node under a Local traffic policy. Those drop traffic
// (internal: every client; external: clients outside the node), where a port with no endpoints at all is
// rejected and counted nowhere, as upstream does.

import type { FamilySnapshot } from '../model/types.js';

export interface NoLocalEndpointCounts {
  readonly internal: number;
  readonly external: number;
}

export function noLocalEndpointCounts(family: FamilySnapshot): NoLocalEndpointCounts {
  let internal = 0;
  let external = 0;
  for (const sp of family.servicePorts.values()) {
    if (!sp.selection.hasAny || sp.selection.local.length > 0) continue;
    if (sp.internalPolicyLocal) internal++;
    if (sp.externalPolicyLocal) external++;
  }
  return { internal, external };
}
