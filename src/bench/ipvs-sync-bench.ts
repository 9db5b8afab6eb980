// The IPVS sync benchmark's host side: boots user-mode Linux (the host kernel has no IPVS) and runs
// ipvs-sync-in-uml.js inside, which compares the IPVS and iptables modes in the same UML kernel; prints
// what it printed. Needs root and user-mode-linux.

import { fileURLToPath } from 'node:url';
import { runInUml, umlRequirements } from '../uml/uml-vm.js';

/** Runs the comparison for these Service counts; resolves false when user-mode Linux cannot run here. */
export async function runIpvsSyncBench(sizes: readonly number[]): Promise<boolean> {
  const reason = umlRequirements();
  if (reason) {
    console.log(`cannot run: ${reason}`);
    return false;
  }
  const inner = fileURLToPath(new URL('./ipvs-sync-in-uml.js', import.meta.url));
  const run = await runInUml({ commands: [`${process.execPath} ${inner} ${sizes.join(',')}`], timeoutMs: 60 * 60_000, memoryMB: 2048 });
  process.stdout.write(run.output.replace(/^__KPT_EXIT__.*\n/gm, ''));
  if (run.timedOut) console.log('timed out');
  return true;
}
