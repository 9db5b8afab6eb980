// The one way kproxy runs an external tool (iptables-restore, nft, ipset, ipvsadm, conntrack, ip, ...):
// input through stdin, a timeout, and stderr carried in the error so a failure explains itself.

import { spawn } from 'node:child_process';

export interface RunToolOptions {
  /** Written to the tool's stdin, then stdin is closed. */
  stdin?: string;
  /** Kill the tool after this many ms (default 60 s). */
  timeoutMs?: number;
  /** Run inside this network namespace (`ip netns exec NAME ...`). */
  netns?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export class ToolError extends Error {
  readonly code = 'KPROXY_TOOL';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
    why: string,
  ) {
    super(`${command}: ${why}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'ToolError';
  }
}

function spawnFailure(file: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return `${file} not found`;
  if (e.code === 'EMFILE') return `cannot start ${file}: this process has used up its open-file limit (EMFILE)`;
  return e.message;
}

/** The tool is not installed (spawn failed with ENOENT). */
export function isToolMissing(err: unknown): boolean {
  return err instanceof ToolError && err.exitCode === null && /not found/.test(err.message);
}

export function runTool(cmd: string, args: readonly string[], opts: RunToolOptions = {}): Promise<ToolResult> {
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, [...args]];
  const shown = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new ToolError(shown, null, '', '', spawnFailure(file, e)));
    });
    // When spawn itself fails (EMFILE, ENOMEM) the pipes were never made: only 'error' follows.
    if (!child.stdin || !child.stdout || !child.stderr) return;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) resolve({ stdout, stderr });
      else if (timedOut) reject(new ToolError(shown, code, stderr, stdout, `timed out after ${opts.timeoutMs ?? 60_000} ms`));
      else reject(new ToolError(shown, code, stderr, stdout, signal ? `killed by ${signal}` : `exit status ${code}`));
    });
    // A tool that exits before reading all of stdin gives EPIPE; its exit status tells the real story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A tool kept running to be fed over stdin (nft -i, or a script streamed as it is produced). */
export interface ToolProcess {
  /** Resolves when the tool can take more (the pipe drained) or is gone: callers pace large inputs. */
  write(text: string): Promise<void>;
  /** Close stdin: the tool finishes what it read and exits. */
  end(): void;
  kill(): void;
}

export interface ToolProcessHandlers {
  stdout?(chunk: string): void;
  stderr?(chunk: string): void;
  /** Called once when the process is gone (or could not start): its exit status (null if none) and why. */
  exit(code: number | null, why: string): void;
}

/**
 * Starts a long-running tool. It never keeps the Node process alive by itself (callers waiting for a
 * reply hold a timer), so an idle tool does not stop a program from exiting; it exits with its stdin.
 */
export function startTool(cmd: string, args: readonly string[], handlers: ToolProcessHandlers, opts: Pick<RunToolOptions, 'netns' | 'env'> = {}): ToolProcess {
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, [...args]];
  const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let gone = false;
  const goneWaiters: (() => void)[] = [];
  const exit = (code: number | null, why: string): void => {
    if (gone) return;
    gone = true;
    for (const w of goneWaiters.splice(0)) w();
    handlers.exit(code, why);
  };
  child.on('error', (e: NodeJS.ErrnoException) => exit(null, spawnFailure(file, e)));
  // 'close', not 'exit': by then stdout and stderr have been read to the end.
  child.on('close', (code, signal) => exit(code, signal ? `killed by ${signal}` : `exit status ${code}`));
  child.unref();
  // When spawn itself fails the pipes were never made: 'error' reports it and writes are dropped.
  const { stdin, stdout, stderr } = child;
  if (!stdin || !stdout || !stderr) return { write: () => Promise.resolve(), end: () => undefined, kill: () => undefined };
  stdout.setEncoding('utf8').on('data', (s: string) => handlers.stdout?.(s));
  stderr.setEncoding('utf8').on('data', (s: string) => handlers.stderr?.(s));
  stdin.on('error', () => undefined); // EPIPE after an exit: the exit handler reports it
  for (const s of [stdin, stdout, stderr] as unknown as { unref?: () => void }[]) s.unref?.();
  return {
    write: (text) => {
      if (gone || stdin.write(text)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.off('drain', done);
          const at = goneWaiters.indexOf(done);
          if (at >= 0) goneWaiters.splice(at, 1);
          resolve();
        };
        goneWaiters.push(done);
        stdin.once('drain', done);
      });
    },
    end: () => stdin.end(),
    kill: () => void child.kill('SIGKILL'),
  };
}
