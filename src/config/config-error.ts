// The one error the configuration layer throws. It carries every problem found (flags, config file,
// validation) so the operator fixes them all in one round instead of one per run.

export class ConfigError extends Error {
  readonly code = 'KPROXY_CONFIG';
  /** One line per problem; each names the flag or field, the value received and what is allowed. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(list.length === 1 ? list[0]! : `${list.length} configuration problems:\n${list.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = list;
  }
}

/** Throws one ConfigError holding all problems, if there are any. */
export function throwIfProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new ConfigError(problems);
}

/** "value" quoted the way every message shows received values. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}
