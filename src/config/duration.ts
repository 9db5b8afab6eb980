// Go's time.Duration text form, which kube-proxy flags and config files use ("30s", "1h2m3.5s",
// "300ms", "0"). Parsing follows time.ParseDuration (sign, fractions, units ns us µs μs ms s m h, a bare
// "0"); formatting follows Duration.String() so a written config reads like upstream's ("1h0m0s").
// Nanoseconds are kept as bigint because 24h of nanoseconds already exceeds 2^53.

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n, // micro sign
  '\u03bcs': 1_000n, // Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = (1n << 63n) - 1n;

export class DurationSyntaxError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`invalid duration ${JSON.stringify(input)}: ${reason} (examples: "30s", "1m30s", "300ms", "2h45m")`);
    this.name = 'DurationSyntaxError';
  }
}

/** Parses a Go duration into nanoseconds. */
export function parseDurationNs(input: string): bigint {
  let rest = input;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw new DurationSyntaxError(input, 'empty');
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = m?.[1] ?? '';
    const frac = m?.[2] ?? '';
    if (whole === '' && frac === '') throw new DurationSyntaxError(input, 'expected a number');
    rest = rest.slice(m![0].length);
    const unitMatch = /^[^\d.]+/.exec(rest);
    if (!unitMatch) throw new DurationSyntaxError(input, 'missing unit');
    const unitNs = UNIT_NS[unitMatch[0]];
    if (unitNs === undefined) {
      throw new DurationSyntaxError(input, `unknown unit ${JSON.stringify(unitMatch[0])} (use ns, us, ms, s, m, h)`);
    }
    rest = rest.slice(unitMatch[0].length);
    // Fractions are truncated to whole nanoseconds, as Go does.
    const fracNs = frac === '' ? 0n : (BigInt(frac) * unitNs) / 10n ** BigInt(frac.length);
    total += BigInt(whole === '' ? '0' : whole) * unitNs + fracNs;
    if (total > MAX_NS) throw new DurationSyntaxError(input, 'out of range');
  }
  return negative ? -total : total;
}

/** Go duration ("1h2m3.5s", "300ms", "0") to milliseconds; throws DurationSyntaxError on bad input. */
export function parseDuration(input: string): number {
  return Number(parseDurationNs(input)) / 1e6;
}

function decimal(value: bigint, scale: bigint, digits: number): string {
  const whole = value / scale;
  const frac = value % scale;
  if (frac === 0n) return whole.toString();
  return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Nanoseconds to Go's Duration.String() form ("1h0m0s", "1.5s", "300ms", "0s"). */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < 1_000_000n) return `${sign}${decimal(abs, 1_000n, 3)}\u00b5s`;
  if (abs < 1_000_000_000n) return `${sign}${decimal(abs, 1_000_000n, 6)}ms`;
  const hours = abs / UNIT_NS.h!;
  const minutes = (abs % UNIT_NS.h!) / UNIT_NS.m!;
  const seconds = decimal(abs % UNIT_NS.m!, UNIT_NS.s!, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** Re-spells a valid Go duration the way Go prints it ("5m" -> "5m0s"). */
export function canonicalDuration(input: string): string {
  return formatDuration(parseDurationNs(input));
}
