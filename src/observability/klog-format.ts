// The two line shapes Kubernetes components write: klog's text header plus `"msg" key=value` pairs, and
// component-base's JSON lines. Pure functions of their inputs so tests can pin exact output.

export type Severity = 'I' | 'W' | 'E';

export interface LogRecord {
  severity: Severity;
  /** klog V level of an info line (0 for plain info, warnings and errors). */
  verbosity: number;
  time: Date;
  pid: number;
  /** "file:line" or a fixed source name. */
  caller: string;
  msg: string;
  /** The error of an error line; written first as `err`. */
  err?: unknown;
  kv: Record<string, unknown>;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `I1121 11:44:30.123456    1234 proxier.js:88] ` — klog's header, local time, pid padded to 7 columns. */
export function klogHeader(r: LogRecord): string {
  const t = r.time;
  const date = `${pad(t.getMonth() + 1, 2)}${pad(t.getDate(), 2)}`;
  const clock = `${pad(t.getHours(), 2)}:${pad(t.getMinutes(), 2)}:${pad(t.getSeconds(), 2)}`;
  // Date has millisecond resolution; klog prints microseconds.
  const micros = pad(t.getMilliseconds() * 1000, 6);
  return `${r.severity}${date} ${clock}.${micros} ${String(r.pid).padStart(7, ' ')} ${r.caller}] `;
}

/** One value as klog's text format writes it: strings and errors quoted, numbers and booleans bare. */
export function klogValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return '<nil>';
  if (v instanceof Error) return JSON.stringify(v.message);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  return stringifySafe(v);
}

export function formatText(r: LogRecord): string {
  let line = klogHeader(r) + JSON.stringify(r.msg);
  if (r.severity === 'E' && r.err !== undefined) line += ` err=${klogValue(r.err)}`;
  for (const [k, v] of Object.entries(r.kv)) line += ` ${k}=${klogValue(v)}`;
  return `${line}\n`;
}

/**
 * component-base's JSON shape: ts (unix seconds, float), caller, msg, then "v" on info lines or "err" on
 * error lines, then the key/value pairs. klog sends warnings to the JSON backend as V(0) info lines.
 */
export function formatJson(r: LogRecord): string {
  const out: Record<string, unknown> = { ts: r.time.getTime() / 1000, caller: r.caller, msg: r.msg };
  if (r.severity === 'E') {
    if (r.err !== undefined) out.err = r.err instanceof Error ? r.err.message : jsonValue(r.err);
  } else {
    out.v = r.verbosity;
  }
  for (const [k, v] of Object.entries(r.kv)) {
    if (!(k in out)) out[k] = jsonValue(v);
  }
  return `${stringifySafe(out)}\n`;
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Error) return v.message;
  if (typeof v === 'bigint') return v.toString();
  if (v === undefined) return null;
  return v;
}

// A log line must never throw: cycles and BigInts become strings instead of exceptions.
function stringifySafe(v: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(v, (_k, val: unknown) => {
      if (typeof val === 'bigint') return val.toString();
      if (val instanceof Error) return val.message;
      if (typeof val === 'object' && val !== null) {
        if (seen.has(val)) return '[Circular]';
        seen.add(val);
      }
      return val;
    }) ?? 'null';
  } catch {
    return JSON.stringify(String(v));
  }
}
