// Mode sessions inside user-mode Linux: boots Debian's linux.uml (IPVS modules included) with the host's
// root file system, runs uml-entry.js there, and relays its progress while it runs (the output file is on
// the host's file system). The kernel runs in its own process group, killed on timeout, exit and Ctrl-C.

import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootUml, killUml, umlInitScript } from '../uml/uml-kernel.js';
import { onExitCleanup } from '../lab/exit-cleanup.js';
import type { SessionEvents, SessionSpec } from './session.js';
import { CASE_TAG, PROGRESS_TAG } from './uml-entry.js';
import type { CaseResult } from './results.js';

export { umlRequirements } from '../uml/uml-kernel.js';

/** Pick the tagged lines out of new output. */
export function relayTagged(text: string, events: SessionEvents): void {
  for (const line of text.split('\n')) {
    if (line.startsWith(PROGRESS_TAG)) events.progress(`[uml] ${line.slice(PROGRESS_TAG.length)}`);
    else if (line.startsWith(CASE_TAG)) events.caseDone(JSON.parse(line.slice(CASE_TAG.length)) as CaseResult);
  }
}

export async function runSessionsInUml(specs: readonly SessionSpec[], events: SessionEvents, timeoutMs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpt-bench-uml-'));
  const out = join(dir, 'out.txt');
  const entry = fileURLToPath(new URL('./uml-entry.js', import.meta.url));
  const b64 = Buffer.from(JSON.stringify(specs)).toString('base64');
  const init = join(dir, 'init.sh');
  await writeFile(init, umlInitScript(out, [`${process.execPath} ${entry} ${b64}`]));
  await chmod(init, 0o755);
  // 30,000 Services x 5 endpoints: kproxy, its tools and the sync child each hold hundreds of MB in the guest.
  const child = bootUml({ init, dir, umid: `kpt-bench-${process.pid}`, memoryMB: 4096, stdio: 'ignore' });
  const kill = () => killUml(child);
  const forget = onExitCleanup(() => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  });
  let seen = '';
  let cases = 0;
  const counting: SessionEvents = { progress: events.progress, caseDone: (r) => { cases++; events.caseDone(r); } };
  const pollOnce = async () => {
    const text = await readFile(out, 'utf8').catch(() => '');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length > seen.length) relayTagged(complete.slice(seen.length), counting);
    seen = complete.length > seen.length ? complete : seen;
  };
  // One read at a time, so no line is relayed twice.
  let chain = Promise.resolve();
  const poll = () => (chain = chain.then(pollOnce));
  const timer = setInterval(() => void poll(), 2000);
  const deadline = setTimeout(kill, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', () => resolve());
    });
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
    forget();
    await poll();
    const tail = (await readFile(out, 'utf8').catch(() => '')).split('\n').filter((l) => !l.startsWith('@@')).slice(-15).join('\n');
    if (tail.trim() && cases === 0) events.progress(`[uml] last output:\n${tail}`);
    await rm(dir, { recursive: true, force: true });
  }
}
