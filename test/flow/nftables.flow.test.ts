// Every flow scenario through kproxy's nftables mode (the real CLI in the lab's node namespace).
import { kproxyCliAdapter } from './mode-adapter.js';
import { runFlowSuite } from './run-scenarios.js';
import { SCENARIOS } from './scenarios.js';

const nftablesAdapter = kproxyCliAdapter({
  mode: 'nftables',
  tools: ['nft'],
  stateCommands: [['nft', 'list', 'table', 'ip', 'kproxy'], ['nft', 'list', 'table', 'ip6', 'kproxy']],
});

runFlowSuite(nftablesAdapter, SCENARIOS);
