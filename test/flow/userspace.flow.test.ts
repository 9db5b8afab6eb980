// Every flow scenario through kproxy's userspace mode (the real CLI in the lab's node namespace).
import { userspaceAdapter } from './mode-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(userspaceAdapter, SCENARIOS);
