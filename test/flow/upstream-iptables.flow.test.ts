// The scenarios against upstream kube-proxy in iptables mode, reading a real kube-apiserver: the oracle
// for what the expectations say (a departure of kproxy is recorded in the scenario's byMode).
import { ApiCluster } from './api-cluster.js';
import { upstreamAdapter } from './api-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(upstreamAdapter(new ApiCluster({ apiserverPort: 18443, etcdPort: 18379 }), 'iptables'), SCENARIOS);
