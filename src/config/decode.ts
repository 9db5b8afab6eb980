// Reads a KubeProxyConfiguration file (YAML or JSON; JSON is YAML) strictly: kind and apiVersion must
// be exactly upstream's, every field must be known and of the right type, and every problem is reported
// at once. Missing and null fields get upstream's defaults.
//
// Upstream note: kube-proxy tries strict decoding first and, for v1alpha1 only, falls back to lenient
// decoding with a logged warning when the file merely has unknown fields. kproxy keeps the strict
// result and rejects such files, so a typo in a field name cannot silently fall back to a default.

import { parseAllDocuments } from 'yaml';
import { ConfigError, shown } from './config-error.js';
import { defaultBindAddresses, defaultConfiguration } from './defaults.js';
import { CONFIG_SCHEMA, convertField, isZero, ZERO_MEANS_DEFAULT, type ObjectSchema } from './file-schema.js';
import { API_VERSION, KIND, type KubeProxyConfiguration } from './types.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseSingleDocument(text: string, origin: string): unknown {
  const docs = parseAllDocuments(text, { uniqueKeys: true }).filter((d) => d.contents !== null);
  const parseErrors = docs.flatMap((d) => d.errors.map((e) => `${origin}: cannot parse: ${e.message}`));
  if (parseErrors.length > 0) throw new ConfigError(parseErrors);
  if (docs.length === 0) throw new ConfigError(`${origin}: the file is empty; expected a ${KIND} document`);
  if (docs.length > 1) {
    throw new ConfigError(`${origin}: holds ${docs.length} documents; expected exactly one ${KIND} document`);
  }
  return docs[0]!.toJS();
}

function checkTypeMeta(doc: JsonObject, origin: string): string[] {
  const problems: string[] = [];
  if (doc.kind !== KIND) {
    problems.push(`${origin}: kind: got ${shown(doc.kind)}, expected ${shown(KIND)}`);
  }
  if (doc.apiVersion !== API_VERSION) {
    problems.push(`${origin}: apiVersion: got ${shown(doc.apiVersion)}, expected ${shown(API_VERSION)} (the only version kproxy reads)`);
  }
  return problems;
}

/** Walks `source` along `schema`, writing converted values into `target` and collecting problems. */
function decodeObject(
  source: JsonObject, schema: ObjectSchema, target: JsonObject, prefix: string, origin: string,
  problems: string[], present: Set<string>,
): void {
  for (const [key, raw] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const kind = schema[key];
    if (kind === undefined) {
      problems.push(`${origin}: unknown field ${shown(path)} (strict decoding: remove it or fix its spelling)`);
      continue;
    }
    if (raw === null || raw === undefined) continue; // null = unset: the default stays
    if (typeof kind === 'object') {
      if (!isObject(raw)) {
        problems.push(`${origin}: ${path}: got ${shown(raw)}, must be an object`);
        continue;
      }
      decodeObject(raw, kind, target[key] as JsonObject, path, origin, problems, present);
      continue;
    }
    const converted = convertField(kind, raw);
    if (!converted.ok) {
      problems.push(`${origin}: ${path}: got ${shown(raw)}: ${converted.reason}`);
      continue;
    }
    if (ZERO_MEANS_DEFAULT.has(path) && isZero(converted.value)) continue;
    present.add(path);
    target[key] = converted.value;
  }
}

/** Decodes the text of a config file into a defaulted configuration; throws ConfigError. */
export function decodeConfiguration(text: string, origin: string): KubeProxyConfiguration {
  const doc = parseSingleDocument(text, origin);
  if (!isObject(doc)) {
    throw new ConfigError(`${origin}: expected a ${KIND} object, got ${shown(doc)}`);
  }
  const problems = checkTypeMeta(doc, origin);
  if (problems.length > 0) throw new ConfigError(problems); // wrong kind: its fields mean nothing to us
  const config = defaultConfiguration();
  const present = new Set<string>();
  const fields = { ...doc };
  delete fields.apiVersion;
  delete fields.kind;
  decodeObject(fields, CONFIG_SCHEMA, config as unknown as JsonObject, '', origin, problems, present);
  if (problems.length > 0) throw new ConfigError(problems);
  defaultBindAddresses(config, { healthz: !present.has('healthzBindAddress'), metrics: !present.has('metricsBindAddress') });
  return config;
}
