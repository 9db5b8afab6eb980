// Inside user-mode Linux: every flow scenario, plus the IPVS-only ones, through kproxy's IPVS mode.
import { runFlowSuite } from '../../flow/run-scenarios.js';
import { SCENARIOS } from '../../flow/scenarios.js';
import { ipvsAdapter } from '../ipvs-adapter.js';
import { IPVS_SCENARIOS } from '../ipvs-scenarios.js';

runFlowSuite(ipvsAdapter, [...SCENARIOS, ...IPVS_SCENARIOS]);
