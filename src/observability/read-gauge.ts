// Reads a gauge from /metrics text, for the programs that wait on a proxy's sync timestamps (the flow
// suites' sync waiter, the benchmarks): one unlabelled series from kube-proxy before 1.33, one series per
// ip_family from kproxy and later kube-proxy. A sync is complete when the oldest family's is; a change is
// pending while the newest queued one is.

/** The gauge's value in ms (seconds in the text), over every series of it; undefined when absent. */
export function gaugeMs(text: string, name: string, pick: 'oldest' | 'newest' = 'oldest'): number | undefined {
  const values = text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .map((l) => Number.parseFloat(l.slice(l.lastIndexOf(' ') + 1)))
    .filter(Number.isFinite);
  if (values.length === 0) return undefined;
  return (pick === 'oldest' ? Math.min(...values) : Math.max(...values)) * 1000;
}
