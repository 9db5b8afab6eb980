// Every flow scenario through kproxy's nftables mode (the real CLI in the lab's node namespace).
import { nftablesAdapter } from './mode-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(nftablesAdapter, SCENARIOS);
