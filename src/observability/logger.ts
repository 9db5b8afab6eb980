// Placeholder replaced by the observability work: klog-like text or JSON lines.
export interface Logger {
  info(msg: string, kv?: Record<string, unknown>): void;
  warn(msg: string, kv?: Record<string, unknown>): void;
  error(msg: string, kv?: Record<string, unknown>): void;
  /** Verbosity-gated info (klog V(n)). */
  v(level: number): { info(msg: string, kv?: Record<string, unknown>): void };
}
