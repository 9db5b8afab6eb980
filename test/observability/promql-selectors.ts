// The metric selectors in a PromQL expression — which metric, which label names it matches on — read well
// enough for dashboard expressions: functions, aggregations with by/without, binary operators, ranges and
// Grafana's $variables. Not a PromQL parser: an expression it cannot read yields a name that is not a
// metric, and the check using it fails, which is the safe side.

export interface Selector {
  metric: string;
  /** Label names the selector matches on. */
  labels: string[];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

export function selectors(expr: string): Selector[] {
  const text = expr
    .replace(/\[[^\]]*\]/g, '') // range selectors: [5m], [$__rate_interval]
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // grouping label lists
  const found: Selector[] = [];
  for (const m of text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\{([^}]*)\})?(\s*\()?/g)) {
    const [, name, , matchers, call] = m;
    if (call || KEYWORDS.has(name!)) continue; // a function or an aggregation, or a keyword
    const labels = [...(matchers ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!);
    found.push({ metric: name!, labels });
  }
  return found;
}

/** `label_values(selector, label)`, Grafana's variable query: the selectors, plus the label it reads. */
export function labelValuesSelectors(query: string): Selector[] {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(query.trim());
  if (!m) return selectors(query);
  return selectors(m[1]!).map((s) => ({ ...s, labels: [...s.labels, m[2]!] }));
}
