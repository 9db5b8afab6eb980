// The rules that pick traffic up for one service port: entries in the top-level chains (nat
// KUBE-SERVICES / KUBE-NODEPORTS) and the filter verdicts for ports with nowhere to send it (REJECT or
// DROP in KUBE-SERVICES / KUBE-EXTERNAL-SERVICES, DROP in KUBE-PROXY-FIREWALL for LB source ranges).
// These chains are rewritten on every sync, so these rules are written for every port, changed or not.

import { KUBE_EXTERNAL_SERVICES, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL, KUBE_SERVICES } from '../../netfilter/chain-names.js';
import { comment, TableWriter } from '../../netfilter/restore-writer.js';
import type { ServicePortPlan } from './service-plan.js';

function dest(p: ServicePortPlan, ip: string, port: number): string[] {
  return ['-m', p.proto, '-p', p.proto, '-d', ip, '--dport', String(port)];
}

/** The port's dispatch rules on their own (kept by the renderer while the ServicePort is unchanged). */
export interface DispatchRules {
  readonly filter: readonly string[];
  readonly nat: readonly string[];
}

export function renderDispatchRules(p: ServicePortPlan): DispatchRules {
  const filter = new TableWriter('filter');
  const nat = new TableWriter('nat');
  writeDispatchRules(p, filter, nat);
  return { filter: filter.rules, nat: nat.rules };
}

export function writeDispatchRules(p: ServicePortPlan, filter: TableWriter, nat: TableWriter): void {
  const { sp, name } = p;
  if (p.hasInternalEndpoints) {
    nat.append(KUBE_SERVICES, comment(`${name} cluster IP`), dest(p, sp.clusterIP, sp.port), '-j', p.internalChain);
  } else if (p.internalVerdict) {
    filter.append(KUBE_SERVICES, comment(p.internalVerdict.comment), dest(p, sp.clusterIP, sp.port), '-j', p.internalVerdict.target);
  }

  for (const ip of sp.externalIPs) {
    if (p.hasEndpoints) nat.append(KUBE_SERVICES, comment(`${name} external IP`), dest(p, ip, sp.port), '-j', p.chains.external);
    // No endpoints at all (REJECT), or none for external traffic (DROP what KUBE-EXT did not short-circuit).
    if (p.externalVerdict) {
      filter.append(KUBE_EXTERNAL_SERVICES, comment(p.externalVerdict.comment), dest(p, ip, sp.port), '-j', p.externalVerdict.target);
    }
  }

  for (const ip of p.loadBalancerVIPs) {
    if (p.hasEndpoints) nat.append(KUBE_SERVICES, comment(`${name} loadbalancer IP`), dest(p, ip, sp.port), '-j', p.loadBalancerChain);
    if (p.usesFirewallChain) {
      filter.append(KUBE_PROXY_FIREWALL, comment(`${name} traffic not accepted by ${p.chains.firewall}`), dest(p, ip, sp.port), '-j', 'DROP');
    }
  }
  if (p.externalVerdict) {
    for (const ip of p.loadBalancerVIPs) {
      filter.append(KUBE_EXTERNAL_SERVICES, comment(p.externalVerdict.comment), dest(p, ip, sp.port), '-j', p.externalVerdict.target);
    }
  }

  if (sp.nodePort !== 0) {
    // NodePorts are not subject to loadBalancerSourceRanges (upstream cannot change that any more).
    if (p.hasEndpoints) {
      nat.append(KUBE_NODEPORTS, comment(name), '-m', p.proto, '-p', p.proto, '--dport', String(sp.nodePort), '-j', p.chains.external);
    }
    if (p.externalVerdict) {
      filter.append(
        KUBE_EXTERNAL_SERVICES,
        comment(p.externalVerdict.comment),
        ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', p.proto, '-p', p.proto, '--dport', String(sp.nodePort)],
        '-j',
        p.externalVerdict.target,
      );
    }
  }

  if (sp.healthCheckNodePort !== 0) {
    // Load balancers must reach the health check whether or not this node has endpoints.
    filter.append(
      KUBE_NODEPORTS,
      comment(`${name} health check node port`),
      ['-m', 'tcp', '-p', 'tcp', '--dport', String(sp.healthCheckNodePort)],
      '-j',
      'ACCEPT',
    );
  }
}
