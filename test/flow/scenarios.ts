// The flow scenarios every proxy mode runs: the acceptance list of each mode. Scenario data lives in
// scenarios-reach.ts (ways into a Service), scenarios-paths.ts (more ways in, hairpin, Services not
// proxied), scenarios-external.ts (ExternalIPs and load-balancer IPs), scenarios-firewall.ts
// (loadBalancerSourceRanges), scenarios-endpoints.ts and scenarios-policy.ts (which endpoints answer) and
// scenarios-flags.ts (node flags); the machinery that runs them is in run-scenarios.ts. How to add one:
// docs/flow-suite.md.

import type { Scenario } from './scenario.js';
import { ENDPOINT_SCENARIOS } from './scenarios-endpoints.js';
import { EXTERNAL_SCENARIOS } from './scenarios-external.js';
import { FIREWALL_SCENARIOS } from './scenarios-firewall.js';
import { FLAG_SCENARIOS } from './scenarios-flags.js';
import { PATH_SCENARIOS } from './scenarios-paths.js';
import { POLICY_SCENARIOS } from './scenarios-policy.js';
import { REACH_SCENARIOS } from './scenarios-reach.js';

export const SCENARIOS: readonly Scenario[] = [
  ...REACH_SCENARIOS,
  ...PATH_SCENARIOS,
  ...EXTERNAL_SCENARIOS,
  ...FIREWALL_SCENARIOS,
  ...ENDPOINT_SCENARIOS,
  ...POLICY_SCENARIOS,
  ...FLAG_SCENARIOS,
];
