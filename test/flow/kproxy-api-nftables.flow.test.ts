// kproxy in nftables mode reading a real kube-apiserver (v1.28.4, which refuses kproxy's preferred Service
// field selector) instead of manifest files: every scenario converges with nothing in between.
import { ApiCluster } from './api-cluster.js';
import { kproxyApiAdapter } from './api-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(kproxyApiAdapter(new ApiCluster({ apiserverPort: 18473, etcdPort: 18409 }), 'nftables'), SCENARIOS);
