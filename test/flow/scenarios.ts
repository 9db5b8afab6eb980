// The flow scenarios every proxy mode runs: the acceptance list of each mode. Scenario data lives in
// scenarios-reach.ts (ways into a Service) and scenarios-endpoints.ts (which endpoints answer); the
// machinery that runs them is in run-scenarios.ts. How to add one: docs/flow-suite.md.

import type { Scenario } from './scenario.js';
import { ENDPOINT_SCENARIOS } from './scenarios-endpoints.js';
import { REACH_SCENARIOS } from './scenarios-reach.js';

export const SCENARIOS: readonly Scenario[] = [...REACH_SCENARIOS, ...ENDPOINT_SCENARIOS];
