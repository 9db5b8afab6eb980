// Last-resort cleanup for whatever a run creates outside itself (network namespaces, their processes, a
// user-mode Linux kernel, scratch directories): each owner registers a synchronous undo; process exit,
// Ctrl-C (SIGINT) and SIGTERM run every undo still registered, so an interrupted run leaves nothing behind.
// One registry per process, so several owners never race each other's signal handlers.

const undos = new Set<() => void>();
let installed = false;

/** Register `undo`; call the returned function once it is no longer needed (normal teardown done). */
export function onExitCleanup(undo: () => void): () => void {
  install();
  undos.add(undo);
  return () => undos.delete(undo);
}

/** Run and forget every registered undo (what exit and signals do). */
export function runExitCleanups(): void {
  for (const undo of [...undos]) {
    undos.delete(undo);
    try {
      undo();
    } catch {
      // Keep going: one failed undo must not leave the others' resources behind.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runExitCleanups);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      runExitCleanups();
      process.exit(code);
    });
  }
}
