// Every flow scenario through kproxy's iptables mode on the legacy (x_tables) back end.
import { kproxyCliAdapter } from './mode-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

runFlowSuite(
  kproxyCliAdapter({
    mode: 'iptables',
    label: 'iptables (legacy back end)',
    flags: ['--iptables-backend=legacy'],
    tools: ['iptables-legacy-restore', 'conntrack'],
    stateCommands: [['iptables-legacy-save'], ['ip6tables-legacy-save']],
  }),
  SCENARIOS,
);
