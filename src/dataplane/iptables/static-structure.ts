// The fixed part of the rule graph, as data: which built-in chain jumps to which kube chain, and which
// top-level chains every sync rewrites. Upstream keeps the same table (iptablesJumpChains); the jump rules
// live in built-in chains that other software shares, so they are inserted once (when missing) instead of
// being rewritten, which would mean flushing PREROUTING and friends.

import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_CANARY,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from '../../netfilter/chain-names.js';
import type { JumpRule } from '../../netfilter/jump-rules.js';
import type { TableName } from '../../netfilter/restore-writer.js';

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'] as const;

/** In upstream's order; each missing one is inserted at position 1, so later entries end up first. */
export const JUMP_RULES: readonly JumpRule[] = [
  { table: 'filter', from: 'INPUT', to: KUBE_EXTERNAL_SERVICES, match: NEW, comment: 'kubernetes externally-visible service portals' },
  { table: 'filter', from: 'FORWARD', to: KUBE_EXTERNAL_SERVICES, match: NEW, comment: 'kubernetes externally-visible service portals' },
  { table: 'filter', from: 'INPUT', to: KUBE_NODEPORTS, match: [], comment: 'kubernetes health check service ports' },
  { table: 'filter', from: 'FORWARD', to: KUBE_SERVICES, match: NEW, comment: 'kubernetes service portals' },
  { table: 'filter', from: 'OUTPUT', to: KUBE_SERVICES, match: NEW, comment: 'kubernetes service portals' },
  { table: 'filter', from: 'FORWARD', to: KUBE_FORWARD, match: [], comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'INPUT', to: KUBE_PROXY_FIREWALL, match: NEW, comment: 'kubernetes load balancer firewall' },
  { table: 'filter', from: 'OUTPUT', to: KUBE_PROXY_FIREWALL, match: NEW, comment: 'kubernetes load balancer firewall' },
  { table: 'filter', from: 'FORWARD', to: KUBE_PROXY_FIREWALL, match: NEW, comment: 'kubernetes load balancer firewall' },
  { table: 'nat', from: 'OUTPUT', to: KUBE_SERVICES, match: [], comment: 'kubernetes service portals' },
  { table: 'nat', from: 'PREROUTING', to: KUBE_SERVICES, match: [], comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: KUBE_POSTROUTING, match: [], comment: 'kubernetes postrouting rules' },
  // kubelet's copies: created like kubelet does, so localhost NodePorts are safe even without kubelet.
  { table: 'filter', from: 'INPUT', to: KUBE_FIREWALL, match: [], comment: '' },
  { table: 'filter', from: 'OUTPUT', to: KUBE_FIREWALL, match: [], comment: '' },
];

/** Chains every sync declares (and so rewrites), per table, in upstream's order. */
export const TOP_LEVEL_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  filter: [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL],
  nat: [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ],
};

/** Every fixed chain kproxy (or kube-proxy) creates, per table: what cleanup removes besides service chains. */
export const OWNED_FIXED_CHAINS: Readonly<Record<'filter' | 'nat' | 'mangle', readonly string[]>> = {
  filter: [...TOP_LEVEL_CHAINS.filter, KUBE_PROXY_CANARY],
  nat: [...TOP_LEVEL_CHAINS.nat, KUBE_PROXY_CANARY],
  mangle: [KUBE_PROXY_CANARY],
};

/** Chains kubelet may own too: removed by cleanup only when no kubelet canary shows kubelet is around. */
export const SHARED_WITH_KUBELET: Readonly<Record<'filter' | 'nat', readonly string[]>> = {
  filter: [KUBE_FIREWALL],
  nat: [KUBE_MARK_MASQ],
};
