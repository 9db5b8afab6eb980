// kproxy's logger: klog-shaped text lines or Kubernetes JSON lines, gated by a klog-style verbosity (-v).
// Operators grep kube-proxy logs by these shapes, so the shapes are kept exact (see klog-format.ts).

import { basename } from 'node:path';
import { formatJson, formatText, type LogRecord, type Severity } from './klog-format.js';

export type KeyValues = Record<string, unknown>;

export interface VerboseLogger {
  /**
   * True when lines at this level are written; check it before building expensive key/values. Optional
   * so that Logger implementations written against the original interface still fit (absent = enabled).
   */
  readonly enabled?: boolean;
  info(msg: string, kv?: KeyValues): void;
}

export interface Logger {
  info(msg: string, kv?: KeyValues): void;
  warn(msg: string, kv?: KeyValues): void;
  /** An error line; an `err` key (an Error or a string) is written as klog's `err` field. */
  error(msg: string, kv?: KeyValues): void;
  /** Verbosity-gated info (klog V(n)). */
  v(level: number): VerboseLogger;
}

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface LoggerOptions {
  format: LogFormat;
  /** klog -v: V(n) lines are written when verbosity >= n. */
  verbosity: number;
  /** Where lines go (default process.stderr, as Kubernetes components do). */
  stream?: NodeJS.WritableStream;
  now?: () => Date;
  /** A fixed caller instead of the calling file:line (tests; or to skip the stack walk). */
  caller?: string;
  pid?: number;
}

export function createLogger(opts: LoggerOptions): Logger {
  if (!LOG_FORMATS.includes(opts.format)) {
    throw new Error(`logging format: got ${JSON.stringify(opts.format)}, allowed: ${LOG_FORMATS.join(', ')}`);
  }
  if (!Number.isInteger(opts.verbosity) || opts.verbosity < 0) {
    throw new Error(`verbosity (-v): got ${String(opts.verbosity)}, allowed: an integer >= 0`);
  }
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => new Date());
  const pid = opts.pid ?? process.pid;
  const format = opts.format === 'json' ? formatJson : formatText;

  // The public methods all call emit directly, so the caller is always two frames above emit.
  const emit = (severity: Severity, verbosity: number, msg: string, kv: KeyValues = {}): void => {
    let err: unknown;
    let rest = kv;
    if (severity === 'E' && 'err' in kv) {
      ({ err, ...rest } = kv);
    }
    const record: LogRecord = { severity, verbosity, time: now(), pid, caller: opts.caller ?? callerOf(), msg, kv: rest };
    if (err !== undefined) record.err = err;
    stream.write(format(record));
  };

  const disabled: VerboseLogger = { enabled: false, info: () => {} };
  return {
    info: (msg, kv) => emit('I', 0, msg, kv),
    warn: (msg, kv) => emit('W', 0, msg, kv),
    error: (msg, kv) => emit('E', 0, msg, kv),
    v: (level) =>
      opts.verbosity >= level ? { enabled: true, info: (msg, kv) => emit('I', level, msg, kv) } : disabled,
  };
}

/** A logger that drops everything (tests, and libraries used without one). */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  v: () => ({ enabled: false, info: () => {} }),
};

// "file.js:LINE" of the code that called the logger: frame 0 is this function, 1 emit, 2 the logger
// method, 3 its caller.
function callerOf(): string {
  const frames = new Error().stack?.split('\n').slice(1) ?? [];
  const frame = frames[3] ?? '';
  const m = /\(?([^()\s]+):(\d+):\d+\)?$/.exec(frame.trim());
  if (!m || m[1] === undefined) return 'kproxy';
  return `${basename(m[1])}:${m[2]}`;
}
