// The IPVS benchmark: boots user-mode Linux (the host kernel has no IPVS) and runs bench/ipvs-in-uml.js
// inside, comparing the IPVS and iptables modes in the same UML kernel. Needs root and user-mode-linux.
// Usage: node dist/bench/ipvs-sync.js [100,1000,4000,5000]

import { fileURLToPath } from 'node:url';
import { runInUml, umlRequirements } from '../test/uml/uml-vm.js';

const reason = umlRequirements();
if (reason) {
  console.log(`cannot run: ${reason}`);
  process.exit(1);
}
const inner = fileURLToPath(new URL('./ipvs-in-uml.js', import.meta.url));
const sizes = process.argv[2] ?? '100,1000,4000,5000';
const run = await runInUml({ commands: [`${process.execPath} ${inner} ${sizes}`], timeoutMs: 60 * 60_000, memoryMB: 2048 });
process.stdout.write(run.output.replace(/^__KPT_EXIT__.*\n/gm, ''));
if (run.timedOut) console.log('timed out');
