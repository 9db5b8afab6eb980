// The IPVS benchmark: boots user-mode Linux (the host kernel has no IPVS) and compares the IPVS and
// iptables modes in the same UML kernel (src/bench/ipvs-sync-bench.ts). Needs root and user-mode-linux.
// Usage: node dist/bench/ipvs-sync.js [100,1000,4000,5000]

import { runIpvsSyncBench } from '../src/bench/ipvs-sync-bench.js';

const sizes = (process.argv[2] ?? '100,1000,4000,5000').split(',').map(Number);
if (!(await runIpvsSyncBench(sizes))) process.exit(1);
