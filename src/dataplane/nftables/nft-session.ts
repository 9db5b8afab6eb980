// One long-running `nft -i` per network namespace, fed one transaction per line. Starting `ip netns exec
// nft` costs 10-100 ms; a line to a running nft costs about 1 ms, which is what makes a one-endpoint
// change reach the kernel within the latency target.
//
// Framing: nft -i prints nothing on success and an "Error: ..." (echoing the line) on stderr when it
// refuses a line, so each transaction is followed by a marker line that is always a syntax error and
// names its sequence number. Everything on stderr before the marker's error belongs to the transaction.
// One line is one nft batch, so each transaction is as atomic as `nft -f`.

import { devNull } from 'node:os';
import { startTool, type ToolProcess } from '../../exec/run-tool.js';

export class NftSessionError extends Error {
  /** True when nft refused the transaction (the kernel is unchanged); false when the outcome is unknown. */
  constructor(message: string, readonly refused: boolean) {
    super(message);
    this.name = 'NftSessionError';
  }
}

export interface NftSessionOptions {
  readonly netns?: string;
  /** Give up on a transaction (and the process) after this long. */
  readonly timeoutMs?: number;
  /** Restart nft after this many transactions: its line history grows with every line. */
  readonly maxTransactions?: number;
  /** The program and arguments (default `nft -i`); tests substitute a stand-in speaking the same way. */
  readonly command?: readonly [string, ...string[]];
}

interface Pending {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (err: NftSessionError) => void;
  readonly timer: NodeJS.Timeout;
}

const MARKER = 'kproxy-ack-';

/** The script as one line: nft separates commands by newline or ';', and `nft -i` reads lines. */
export function oneLine(script: string): string {
  return script.trimEnd().split('\n').join('; ');
}

export class NftSession {
  private proc: ToolProcess | undefined;
  private pending: Pending | undefined;
  private stderr = '';
  private seq = 0;
  private served = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: NftSessionOptions = {}) {}

  /** Apply one transaction. Serialised: nft answers lines in order, one at a time here. */
  apply(script: string): Promise<void> {
    const run = this.queue.then(() => this.send(oneLine(script)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Start nft now (an empty line), so the first transaction does not pay for its start. */
  warmUp(): void {
    if (!this.proc) this.apply('').catch(() => undefined);
  }

  close(): void {
    this.proc?.end();
    this.proc = undefined;
  }

  private send(line: string): Promise<void> {
    if (this.proc && this.served >= (this.opts.maxTransactions ?? 10_000)) this.close();
    const proc = (this.proc ??= this.start());
    const seq = ++this.seq;
    this.served++;
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.opts.timeoutMs ?? 30_000;
      const timer = setTimeout(() => this.fail(new NftSessionError(`nft -i: no answer after ${timeoutMs} ms`, false)), timeoutMs);
      this.pending = { seq, resolve, reject, timer };
      void proc.write(`${line}\n${MARKER}${seq}\n`);
    });
  }

  private start(): ToolProcess {
    this.stderr = '';
    this.served = 0;
    const [cmd, ...args] = this.opts.command ?? ['nft', '-i'];
    const proc: ToolProcess = startTool(
      cmd,
      args,
      {
        // A replaced process (timed out, recycled) must not answer for its successor.
        stderr: (chunk) => {
          if (this.proc === proc) this.onStderr(chunk);
        },
        exit: (_code, why) => {
          if (this.proc !== proc) return;
          this.proc = undefined;
          this.fail(new NftSessionError(`nft -i ended: ${why}`, false));
        },
      },
      // nft -i loads $HOME/.nft.history at start and rewrites it at exit: a file that would grow with
      // every transaction and, measured, makes each line cost milliseconds. A HOME that cannot hold it.
      { ...(this.opts.netns ? { netns: this.opts.netns } : {}), env: { ...process.env, HOME: devNull } },
    );
    return proc;
  }

  private onStderr(chunk: string): void {
    this.stderr += chunk;
    const p = this.pending;
    if (!p) return;
    // The marker's own error: "Error: ...\n<marker>\n<carets>\n". Wait for the caret line too.
    const at = this.stderr.indexOf(`\n${MARKER}${p.seq}\n`);
    if (at < 0) return;
    const end = this.stderr.indexOf('\n', at + MARKER.length + String(p.seq).length + 2);
    if (end < 0) return;
    const errorLine = this.stderr.lastIndexOf('\n', at - 1) + 1;
    const own = this.stderr.slice(0, errorLine);
    this.stderr = this.stderr.slice(end + 1);
    this.settle();
    if (/^Error/m.test(own)) p.reject(new NftSessionError(own.trim(), true));
    else p.resolve();
  }

  private fail(err: NftSessionError): void {
    const p = this.pending;
    if (!p) return;
    this.settle();
    // Unknown state of the process: drop it, the next transaction starts a fresh one.
    if (!err.refused) {
      this.proc?.kill();
      this.proc = undefined;
    }
    p.reject(err);
  }

  private settle(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
  }
}
