// Benchmark of the nftables mode, as root, in throw-away network namespaces (src/bench/nftables-sync-bench.ts
// says what it measures: full sync, one endpoint change, model to kernel, connection latency).
// Usage: node dist/bench/nftables-sync.js [N]

import { runNftablesSyncBench } from '../src/bench/nftables-sync-bench.js';

await runNftablesSyncBench(Number(process.argv[2] ?? 30000));
