// Label and field selectors as the API server reads them from ?labelSelector= and ?fieldSelector=:
// comma-separated requirements, each `key`, `!key`, `key=value`, `key==value` or `key!=value`.
// Set-based forms (`in`, `notin`) are refused with a message, since kproxy never sends them.

import type { StoredObject } from './object-store.js';

type Requirement = { key: string; op: 'exists' | 'absent' | 'eq' | 'ne'; value?: string };

export class SelectorError extends Error {}

export function parseSelector(text: string | null, what: string): Requirement[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const p = part.trim();
    if (/\s(in|notin)\s/.test(p)) throw new SelectorError(`${what}: set-based requirement ${JSON.stringify(p)} is not supported by the test server`);
    let m = /^([^!=]+)!=(.*)$/.exec(p);
    if (m) return { key: m[1]!, op: 'ne', value: m[2]! };
    m = /^([^!=]+)==?(.*)$/.exec(p);
    if (m) return { key: m[1]!, op: 'eq', value: m[2]! };
    if (p.startsWith('!')) return { key: p.slice(1), op: 'absent' };
    if (p !== '') return { key: p, op: 'exists' };
    throw new SelectorError(`${what}: empty requirement in ${JSON.stringify(text)}`);
  });
}

function matches(reqs: Requirement[], lookup: (key: string) => string | undefined): boolean {
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

export function matchesLabels(reqs: Requirement[], o: StoredObject): boolean {
  return matches(reqs, (key) => o.metadata.labels?.[key]);
}

/** Field paths are dotted (metadata.name, spec.clusterIP); a missing field reads as "". */
export function matchesFields(reqs: Requirement[], o: StoredObject): boolean {
  return matches(reqs, (path) => {
    let v: unknown = o;
    for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
    return v === undefined || v === null ? '' : String(v);
  });
}
