// The shape of a flow scenario: Kubernetes objects, the flows sent through a node running them, and what
// each flow must come to. Written once, run by every proxy mode (see run-scenarios.ts and
// docs/flow-suite.md). Plain data only: no functions, so a scenario can be printed when it fails.

import type { KubeObject } from '../../src/model/objects.js';
import type { Outcome } from '../../src/lab/flow-wire.js';

/**
 * Where a flow starts: the off-cluster client, a pod (give fromIP: the pod's IP), a process on the node
 * itself, or the node's loopback (same namespace as 'node'; `to` is then 127.0.0.1:nodePort or similar).
 */
export type FlowOrigin = 'client' | 'pod' | 'node' | 'localhost';

export interface FlowExpect {
  /** Default 'answered'. */
  outcome?: Outcome;
  /** Endpoints (podIP:port) allowed to answer; any endpoint when absent. */
  answeredBy?: string[];
  /** Every endpoint in answeredBy must answer at least once over `count` flows. */
  all?: boolean;
  /** Every flow lands on the same endpoint (session affinity). */
  sameEndpoint?: boolean;
  /** The address the backend sees: the flow's own source ('client'), or one of the node's ('node'). */
  source?: 'client' | 'node';
}

export interface Flow {
  from: FlowOrigin;
  /** Source address to bind; required for 'pod' flows (which pod is speaking). */
  fromIP?: string;
  proto: 'tcp' | 'udp';
  /** Destination IP:PORT ([IPv6]:PORT). */
  to: string;
  /** Send this many flows (default 1), each from a fresh source port unless sourcePort is set. */
  count?: number;
  /** Wait this long between the flows of a count. */
  gapMs?: number;
  sourcePort?: number;
  expect: FlowExpect;
}

/** A change to the objects (they are replaced by `objects`), then more flows. */
export interface ScenarioStep {
  name: string;
  objects: KubeObject[];
  flows: Flow[];
}

/** The kernel modes upstream kube-proxy has, and so the modes the oracle (upstream) runs in. */
export type KernelMode = 'iptables' | 'nftables';

/** The byMode key of upstream kube-proxy in a mode: where a scenario records a departure from upstream. */
export const upstreamMode = (mode: KernelMode) => `upstream-${mode}`;
export const UPSTREAM_MODES: readonly string[] = [upstreamMode('iptables'), upstreamMode('nftables')];

/**
 * The byMode key of every adapter whose proxy reads a real kube-apiserver (v1.28.4) rather than manifest
 * files: what such a server refuses or does not know cannot be a scenario there.
 */
export const API_SOURCE = 'kube-apiserver';

/**
 * A by-design difference of one mode. `expect` overrides fields of a flow's expectation, keyed by the
 * flow's index counted over the scenario's flows first, then each step's flows in order.
 */
export interface ModeOverride {
  skip?: string;
  expect?: Record<number, Partial<FlowExpect>>;
  /**
   * Under an upstream key (upstreamMode(...)) with `expect`: what upstream kube-proxy does here and why
   * kproxy does otherwise on purpose. Required there (scenarios.test.ts), and docs/compat.md ("Departures
   * the oracle found") names the scenario: a difference without a written reason is a bug on one side.
   */
  departure?: string;
}

export interface Scenario {
  name: string;
  /** The hostname kproxy runs as (--hostname-override). */
  nodeName: string;
  objects: KubeObject[];
  flows: Flow[];
  steps?: ScenarioStep[];
  /**
   * Extra proxy flags for this scenario, the same in every mode and spelled exactly as upstream
   * kube-proxy's (e.g. '--masquerade-all', '--detect-local-mode=NodeCIDR'), so an adapter running upstream
   * passes them unchanged. They come after the adapter's own flags.
   */
  flags?: string[];
  byMode?: Record<string, ModeOverride>;
}

/** Every flow of a scenario with its global index (the key ModeOverride.expect uses) and its step. */
export function allFlows(s: Scenario): { index: number; step: string | undefined; flow: Flow }[] {
  const out: { index: number; step: string | undefined; flow: Flow }[] = [];
  for (const flow of s.flows) out.push({ index: out.length, step: undefined, flow });
  for (const step of s.steps ?? []) for (const flow of step.flows) out.push({ index: out.length, step: step.name, flow });
  return out;
}

/**
 * The expectation an adapter checks for flow `index`: the scenario's, with the overrides of each of the
 * adapter's byMode keys applied in order (the most general first, see ModeAdapter.follows).
 */
export function expectationFor(s: Scenario, keys: readonly string[], index: number, flow: Flow): FlowExpect {
  return Object.assign({ ...flow.expect }, ...keys.map((k) => s.byMode?.[k]?.expect?.[index] ?? {})) as FlowExpect;
}

/** Why the scenario is skipped for an adapter with these byMode keys (the first key that says so), or undefined. */
export function skipFor(s: Scenario, keys: readonly string[]): string | undefined {
  return keys.map((k) => s.byMode?.[k]?.skip).find((why) => why !== undefined);
}
