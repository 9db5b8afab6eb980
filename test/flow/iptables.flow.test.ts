// Every flow scenario through kproxy's iptables mode on the nf_tables back end of iptables (iptables-nft).
import { iptablesAdapter } from './mode-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(iptablesAdapter, SCENARIOS);
