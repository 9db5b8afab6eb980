// The shape of a flow scenario: Kubernetes objects, the flows sent through a node running them, and what
// each flow must come to. Written once, run by every proxy mode (see run-scenarios.ts and
// docs/flow-suite.md). Plain data only: no functions, so a scenario can be printed when it fails.

import type { KubeObject } from '../../src/model/objects.js';
import type { Outcome } from './flow-wire.js';

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
  sourcePort?: number;
  expect: FlowExpect;
}

/** A change to the objects (they are replaced by `objects`), then more flows. */
export interface ScenarioStep {
  name: string;
  objects: KubeObject[];
  flows: Flow[];
}

/**
 * A by-design difference of one mode. `expect` overrides fields of a flow's expectation, keyed by the
 * flow's index counted over the scenario's flows first, then each step's flows in order.
 */
export interface ModeOverride {
  skip?: string;
  expect?: Record<number, Partial<FlowExpect>>;
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

/** The expectation a mode checks for flow `index`: the scenario's, with the mode's overrides applied. */
export function expectationFor(s: Scenario, mode: string, index: number, flow: Flow): FlowExpect {
  return { ...flow.expect, ...(s.byMode?.[mode]?.expect?.[index] ?? {}) };
}
