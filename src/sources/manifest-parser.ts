// Turns the text of one manifest file into the API objects kproxy reads. Accepts what kubectl apply
// accepts for these kinds: multi-document YAML, a JSON object, and Lists (`kind: List` or a typed
// `ServiceList`-style list with `items`). Kinds kproxy does not read are set aside, not rejected, because
// operators point --from at whole application manifests. Field semantics are the model's business; this
// file only checks what it needs to route a document: that it is an object with apiVersion and kind.
// Errors are capped per file and quote only short excerpts (manifest-guards.ts says why).

import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../model/input-error.js';
import type { ObjectKind } from '../model/objects.js';
import { MAX_ERRORS_PER_FILE, printableExcerpt } from './manifest-guards.js';

/** The apiVersion kproxy reads for each kind; any other apiVersion of these kinds is an error. */
export const READ_KINDS: Readonly<Record<ObjectKind, string>> = {
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Node: 'v1',
};

export interface ParsedObject {
  /** The object as written (kind and apiVersion checked, nothing else). */
  object: unknown;
  /** 1-based position of the document in the file, counted as a reader of the file counts them. */
  doc: number;
}

export interface SkippedObject {
  doc: number;
  apiVersion: string;
  kind: string;
  name: string | undefined;
}

export interface ParsedManifest {
  objects: ParsedObject[];
  errors: InputError[];
  /** Objects of kinds kproxy does not read (Deployment, Pod, ...): worth a debug note, not an error. */
  skipped: SkippedObject[];
  /** Documents with content; 0 when the file is empty or only comments (an empty List counts as one). */
  documents: number;
}

/** Parses `text`, read from `file` (used only to name the origin in errors). */
export function parseManifest(text: string, file: string): ParsedManifest {
  const out = parseUnbounded(text, file);
  return { ...out, errors: boundErrors(out.errors, file) };
}

function parseUnbounded(text: string, file: string): ParsedManifest {
  const out: ParsedManifest = { objects: [], errors: [], skipped: [], documents: 0 };
  const lines = new LineCounter();
  const syntaxError = (offset: number, reason: string): InputError => {
    const { line, col } = lines.linePos(offset);
    return new InputError({ code: 'KPROXY_PARSE', origin: `${file}:${line}:${col}`, reason });
  };

  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  // An empty stream comes back as a lone EmptyStream value rather than a list.
  if (!Array.isArray(docs)) return out;
  for (const doc of docs) for (const e of doc.errors) out.errors.push(syntaxError(e.pos[0], e.message));
  if (out.errors.length > 0) return out;
  const values: unknown[] = [];
  for (const doc of docs) {
    try {
      values.push(doc.contents === null ? null : doc.toJS());
    } catch (e) {
      // An alias whose anchor is missing parses cleanly and fails only here.
      out.errors.push(syntaxError(doc.contents?.range?.[0] ?? 0, e instanceof Error ? e.message : String(e)));
    }
  }
  if (out.errors.length > 0) return out;

  // kubectl treats text starting with "{" as JSON and decodes it strictly; YAML alone would accept JSON
  // mistakes such as a missing value or a trailing comma.
  if (text.trimStart().startsWith('{')) {
    const jsonError = strictJSONError(text);
    if (jsonError) {
      const offset = /at position (\d+)/.exec(jsonError)?.[1];
      out.errors.push(
        offset !== undefined
          ? syntaxError(Number(offset), jsonError)
          : new InputError({ code: 'KPROXY_PARSE', origin: file, reason: `invalid JSON: ${jsonError}` }),
      );
      return out;
    }
  }

  values.forEach((value, i) => {
    // Empty documents ("---" twice, or only comments) are how people separate sections; skip quietly.
    if (value === null || value === undefined) return;
    out.documents++;
    routeDocument(value, { file, doc: i + 1 }, out);
  });
  return out;
}

/** The first MAX_ERRORS_PER_FILE errors, each quoting a short excerpt, and a count of the rest. */
function boundErrors(errors: readonly InputError[], file: string): InputError[] {
  const shown = errors.slice(0, MAX_ERRORS_PER_FILE).map((e) => {
    const { reason, name } = e.details;
    const short = { reason: printableExcerpt(reason), ...(name === undefined ? {} : { name: printableExcerpt(name) }) };
    return short.reason === reason && short.name === name ? e : new InputError({ ...e.details, ...short });
  });
  const leftOut = errors.length - shown.length;
  if (leftOut > 0) {
    shown.push(new InputError({ code: 'KPROXY_PARSE', origin: file, reason: `${leftOut} more errors in this file left out` }));
  }
  return shown;
}

function strictJSONError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

interface DocPlace {
  file: string;
  doc: number;
  /** Index in the document's List, when the object is a List item. */
  item?: number;
}

/** The origin named in errors: the file, the document, and the List item when inside a List. */
function originOf(place: DocPlace): string {
  const item = place.item === undefined ? '' : `, items[${place.item}]`;
  return `${place.file} (document ${place.doc}${item})`;
}

interface ListDefaults {
  apiVersion: string;
  kind: string;
}

function routeDocument(value: unknown, place: DocPlace, out: ParsedManifest, defaults?: ListDefaults): void {
  const origin = originOf(place);
  if (!isPlainObject(value)) {
    out.errors.push(
      new InputError({ code: 'KPROXY_PARSE', origin, reason: `expected an object, got ${describe(value)}` }),
    );
    return;
  }
  const meta = isPlainObject(value.metadata) ? value.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  const kind = value.kind ?? defaults?.kind;
  const apiVersion = value.apiVersion ?? defaults?.apiVersion;
  const kindError = (field: string, reason: string, k?: string) =>
    new InputError({ code: 'KPROXY_KIND', origin, kind: k, namespace, name, field, reason });

  if (typeof kind !== 'string' || kind === '') {
    out.errors.push(kindError('kind', `missing "kind" (got ${describe(kind)})`));
    return;
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    out.errors.push(kindError('apiVersion', `missing "apiVersion" (got ${describe(apiVersion)})`, kind));
    return;
  }
  if (isList(kind, value)) {
    routeList(kind, apiVersion, value.items, place, out);
    return;
  }
  if (!Object.hasOwn(READ_KINDS, kind)) {
    out.skipped.push({ doc: place.doc, apiVersion, kind, name });
    return;
  }
  const served = READ_KINDS[kind as ObjectKind];
  if (apiVersion !== served) {
    out.errors.push(kindError('apiVersion', `apiVersion "${apiVersion}" is not read for ${kind}; use "${served}"`, kind));
    return;
  }
  // Items of a typed list may omit kind/apiVersion (API list responses do); hand the model complete objects.
  out.objects.push({ object: { ...value, apiVersion, kind }, doc: place.doc });
}

function isList(kind: string, value: Record<string, unknown>): boolean {
  return kind === 'List' || (kind.endsWith('List') && 'items' in value);
}

function routeList(kind: string, apiVersion: string, items: unknown, place: DocPlace, out: ParsedManifest): void {
  if (items === undefined || items === null) return; // an empty List
  if (!Array.isArray(items)) {
    out.errors.push(
      new InputError({
        code: 'KPROXY_PARSE',
        origin: originOf(place),
        kind,
        field: 'items',
        reason: `expected a list of objects, got ${describe(items)}`,
      }),
    );
    return;
  }
  // "ServiceList" in v1 holds v1 Services; a plain "List" holds anything and gives no defaults.
  const defaults = kind === 'List' ? undefined : { kind: kind.slice(0, -'List'.length), apiVersion };
  items.forEach((item, i) => routeDocument(item, { ...place, item: i }, out, defaults));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `a ${typeof v}`;
}
