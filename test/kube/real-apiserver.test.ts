// kproxy against a real kube-apiserver on this machine's kernel: iptables, nftables and userspace mode, plus
// the once-per-run checks. IPVS mode runs the same suite inside user-mode Linux (test/ipvs/in-uml).
import { HOST_API_PORT, realApiserverSuite } from './real-apiserver-suite.js';

realApiserverSuite({
  apiserverPort: HOST_API_PORT,
  // userspace reaches its listeners through iptables portals, as in the flow suite.
  modes: { iptables: [], nftables: [], userspace: ['--userspace-portals=iptables'] },
  clusterChecks: true,
});
