// The ways a collection's selectors can be split between the API server and kproxy. The first form asks
// the server to apply every selector; each later one asks for less and applies the rest on the client.
// The reflector moves to the next form when the server answers a list with 400 Bad Request: API servers
// before 1.31 do not know Services' spec.clusterIP field selector, and such a refusal never changes by
// retrying. Objects the client-side part rejects are treated as the server would treat them: not listed,
// and deleted when a watch event shows they no longer match.

import type { ResourceSpec } from './resources.js';
import { matchesFields, matchesLabels, parseSelector } from './selectors.js';

export interface SelectorForm {
  /** The selectors sent to the server. */
  labelSelector?: string;
  fieldSelector?: string;
  /** The selectors kproxy applies itself, as one human-readable line ('' when none). */
  onClient: string;
  keep(object: unknown): boolean;
}

export function selectorForms(resource: ResourceSpec): SelectorForm[] {
  const { labelSelector, fieldSelector } = resource;
  const labels = parseSelector(labelSelector, 'labelSelector');
  const fields = parseSelector(fieldSelector, 'fieldSelector');
  const forms: SelectorForm[] = [{ labelSelector, fieldSelector, onClient: '', keep: () => true }];
  if (fieldSelector) {
    forms.push({ labelSelector, onClient: `fieldSelector=${fieldSelector}`, keep: (o) => matchesFields(fields, o) });
  }
  if (labelSelector) {
    forms.push({
      onClient: [`labelSelector=${labelSelector}`, ...(fieldSelector ? [`fieldSelector=${fieldSelector}`] : [])].join(' '),
      keep: (o) => matchesLabels(labels, o) && matchesFields(fields, o),
    });
  }
  return forms;
}

/** How a form shows in the log: what the server filters and what kproxy filters. */
export function describeForm(form: SelectorForm): { onServer: string; onClient: string } {
  const server = [form.labelSelector && `labelSelector=${form.labelSelector}`, form.fieldSelector && `fieldSelector=${form.fieldSelector}`];
  return { onServer: server.filter(Boolean).join(' ') || '(none)', onClient: form.onClient || '(none)' };
}
