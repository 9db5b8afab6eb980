// Every flow scenario through kproxy's iptables mode on the nf_tables back end of iptables (iptables-nft).
import { kproxyCliAdapter } from './mode-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(
  kproxyCliAdapter({
    mode: 'iptables',
    label: 'iptables (nft back end)',
    flags: ['--iptables-backend=nft'],
    tools: ['iptables-nft-restore', 'conntrack'],
    stateCommands: [['iptables-nft-save'], ['ip6tables-nft-save']],
  }),
  SCENARIOS,
);
