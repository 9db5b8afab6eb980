// Label and field selectors as the API server reads them from ?labelSelector= and ?fieldSelector=:
// comma-separated requirements, each `key`, `!key`, `key=value`, `key==value` or `key!=value`. kproxy
// sends only these equality-based forms. It needs to evaluate them itself because API servers differ in
// which field selectors they know (Services' spec.clusterIP only from 1.31): when a server refuses one,
// the reflector asks for less and applies the rest of the selector to what comes back.

export interface SelectorRequirement {
  key: string;
  op: 'exists' | 'absent' | 'eq' | 'ne';
  value?: string;
}

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

/** Parses a selector; '' or undefined select everything. Set-based forms (`in`, `notin`) are refused. */
export function parseSelector(text: string | null | undefined, what: string): SelectorRequirement[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const p = part.trim();
    if (/\s(in|notin)\s/.test(p)) throw new SelectorError(`${what}: set-based requirement ${JSON.stringify(p)} is not supported`);
    let m = /^([^!=]+)!=(.*)$/.exec(p);
    if (m) return { key: m[1]!, op: 'ne', value: m[2]! };
    m = /^([^!=]+)==?(.*)$/.exec(p);
    if (m) return { key: m[1]!, op: 'eq', value: m[2]! };
    if (p.startsWith('!')) return { key: p.slice(1), op: 'absent' };
    if (p !== '') return { key: p, op: 'exists' };
    throw new SelectorError(`${what}: empty requirement in ${JSON.stringify(text)}`);
  });
}

function matches(reqs: readonly SelectorRequirement[], lookup: (key: string) => string | undefined): boolean {
  return reqs.every((r) => {
    const v = lookup(r.key);
    switch (r.op) {
      case 'exists':
        return v !== undefined;
      case 'absent':
        return v === undefined;
      case 'eq':
        return v === r.value;
      case 'ne':
        return v !== r.value;
    }
  });
}

/** Labels are metadata.labels; an object without them has none. */
export function matchesLabels(reqs: readonly SelectorRequirement[], o: unknown): boolean {
  const labels = (o as { metadata?: { labels?: Record<string, string> } } | null)?.metadata?.labels;
  return matches(reqs, (key) => labels?.[key]);
}

/** Field paths are dotted (metadata.name, spec.clusterIP); a missing field reads as "", as on the server. */
export function matchesFields(reqs: readonly SelectorRequirement[], o: unknown): boolean {
  return matches(reqs, (path) => {
    let v: unknown = o;
    for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
    return v === undefined || v === null ? '' : String(v);
  });
}
