// Boots Debian's user-mode Linux kernel (linux.uml, a 6.1 kernel with IPVS modules that runs as an ordinary
// process) with the host's root file system as its root, runs a list of shell commands inside, and returns
// their output. The kernel runs `init.sh` as PID 1; output goes to a file in a fresh host directory (the
// root is the host's, so the file is readable here once the kernel powers off). The init script always
// ends in `poweroff -f`; a timeout kills the whole process group.

import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExitCleanup } from '../lab/exit-cleanup.js';
import { bootUml, killUml, umlInitScript, umlRequirements } from './uml-kernel.js';

export { UML_KERNEL, UML_MODULES, umlRequirements } from './uml-kernel.js';

export interface UmlRunOptions {
  /** Shell command lines, run one after another inside the UML kernel. */
  readonly commands: readonly string[];
  /** Kill the kernel after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  readonly memoryMB?: number;
  /** Extra environment for the commands. */
  readonly env?: Readonly<Record<string, string>>;
  /** Called every `progressMs` (default 20 s) with what the commands wrote since the last call. */
  readonly onOutput?: (newText: string) => void;
  readonly progressMs?: number;
}

export interface UmlCommandResult {
  readonly command: string;
  readonly exitCode: number;
}

export interface UmlRunResult {
  /** Everything the commands wrote (stdout and stderr). */
  readonly output: string;
  readonly results: readonly UmlCommandResult[];
  readonly timedOut: boolean;
  /** The kernel's console (boot messages), for when something went wrong before the commands ran. */
  readonly console: string;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function initScript(dir: string, o: UmlRunOptions): string {
  const env = Object.entries(o.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const body = [...env];
  o.commands.forEach((c, i) => body.push(`( ${c} )`, `echo "__KPT_EXIT__ ${i} $?"`));
  return umlInitScript(join(dir, 'out.txt'), body);
}

export async function runInUml(o: UmlRunOptions): Promise<UmlRunResult> {
  const reason = umlRequirements();
  if (reason) throw new Error(`user-mode Linux unavailable: ${reason}`);
  const dir = await mkdtemp(join(tmpdir(), 'kpt-uml-'));
  try {
    const init = join(dir, 'init.sh');
    await writeFile(init, initScript(dir, o));
    await chmod(init, 0o755);
    const umid = `kpt-${process.pid}-${Date.now().toString(36)}`;
    const child = bootUml({ init, dir, umid, memoryMB: o.memoryMB ?? 1536, stdio: 'pipe' });
    // The kernel runs in its own process group: a run ended by a signal must take it down too.
    const forget = onExitCleanup(() => killUml(child));
    child.once('close', forget);
    // The output file is on the host's file system (the guest's root is the host's): it can be read live.
    let shown = 0;
    const showNew = async () => {
      const text = await readFile(join(dir, 'out.txt'), 'utf8').catch(() => '');
      if (text.length > shown) o.onOutput?.(text.slice(shown));
      shown = Math.max(shown, text.length);
    };
    const ticker = o.onOutput ? setInterval(() => void showNew(), o.progressMs ?? 20_000) : undefined;
    const { console: consoleText, timedOut } = await waitForPoweroff(child, o.timeoutMs ?? 600_000).finally(() => clearInterval(ticker));
    const output = await readFile(join(dir, 'out.txt'), 'utf8').catch(() => '');
    const results: UmlCommandResult[] = [];
    for (const m of output.matchAll(/^__KPT_EXIT__ (\d+) (\d+)$/gm)) {
      results.push({ command: o.commands[Number(m[1])] ?? '?', exitCode: Number(m[2]) });
    }
    return { output, results, timedOut, console: consoleText };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function waitForPoweroff(child: ChildProcess, timeoutMs: number): Promise<{ console: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const keep = (c: Buffer) => {
      text += c.toString();
      if (text.length > 200_000) text = text.slice(-100_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killUml(child);
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve({ console: text, timedOut });
    });
  });
}
