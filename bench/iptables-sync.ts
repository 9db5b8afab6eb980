// Benchmark of the iptables mode for N Services x 5 endpoints (src/bench/iptables-sync-bench.ts says what
// it measures). Renders run without root; as root, the restores go into a throw-away network namespace.
// Usage: node dist/bench/iptables-sync.js [1000,5000,10000] [nft|legacy] [render|dump=DIR]
//   dump=DIR writes the first full sync's restore input per table (DIR/N-filter.rules, DIR/N-nat.rules,
//   exactly as the executor sends it to an empty namespace of the chosen back end) and skips the restores.

import { runIptablesSyncBench } from '../src/bench/iptables-sync-bench.js';

const sizes = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
const backend = process.argv[3] === 'legacy' ? 'legacy' : 'nft';
const root = process.getuid?.() === 0;
const dumpDir = process.argv[4]?.startsWith('dump=') ? process.argv[4].slice('dump='.length) : undefined;
const restore = root && process.argv[4] !== 'render' && dumpDir === undefined;
if (!root) console.log('not root: restores are skipped');
await runIptablesSyncBench({ sizes, backend, restore, dumpDir });
