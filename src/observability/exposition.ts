// Prometheus text exposition format 0.0.4: the pieces that must match what the Go client writes, so
// kube-proxy dashboards and scrapers see the same bytes (float spelling, escaping, label order).

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`metric name: got ${JSON.stringify(name)}, allowed: [a-zA-Z_:][a-zA-Z0-9_:]*`);
}

export function checkLabelName(metric: string, label: string): void {
  if (!LABEL_NAME.test(label) || label.startsWith('__')) {
    throw new Error(`metric ${metric}: label name ${JSON.stringify(label)} is not allowed (want [a-zA-Z_][a-zA-Z0-9_]*, no leading __)`);
  }
}

/**
 * A float as Go's strconv.FormatFloat(v, 'g', -1, 64) spells it, which is what client_golang writes:
 * shortest round-trip digits, exponent form below 1e-4 or from 1e6 up (e.g. 1.5e+09, 1e-05).
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** HELP text escaping: backslash and newline. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label value escaping: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a="1",b="2"}` in the given order, or "" without labels. */
export function formatLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}
