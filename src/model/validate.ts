// Validation of the API objects kproxy reads, before they reach the model. Structural checks (types,
// required fields) and the semantic checks kube-proxy relies on the API server for (valid IPs, port
// ranges, unique ports, consistent families), because a manifest file has no API server in front of it.
// Unknown fields are ignored so objects from newer API servers still load.

import type { InputError } from './input-error.js';
import type { KubeObject, ObjectKind } from './objects.js';
import { FieldChecks, isRecord, show, type Json } from './field-checks.js';
import { dns1035LabelProblem, dns1123LabelProblem, dns1123SubdomainProblem, labelValueProblem, qualifiedNameProblem } from './name-checks.js';
import { checkService, type ServiceLimits } from './validate-service.js';
import { checkEndpointSlice, checkNode } from './validate-slice-node.js';

export type { ServiceLimits } from './validate-service.js';

const SUPPORTED: Readonly<Record<ObjectKind, string>> = {
  Service: 'v1',
  Node: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};
const SUPPORTED_TEXT = 'v1 Service, v1 Node, discovery.k8s.io/v1 EndpointSlice';

/** Namespaced kinds get the namespace "default" when none is given, as kubectl does. */
export const DEFAULT_NAMESPACE = 'default';

export function isNamespaced(kind: ObjectKind): boolean {
  return kind !== 'Node';
}

/** The name format the API server requires of each kind's metadata.name. */
const NAME_FORMAT: Readonly<Record<ObjectKind, (name: string) => string | undefined>> = {
  Service: dns1035LabelProblem,
  EndpointSlice: dns1123SubdomainProblem,
  Node: dns1123SubdomainProblem,
};

/**
 * Checks one object. `object` is set exactly when `errors` is empty; it is the input with
 * metadata.namespace defaulted for namespaced kinds (a shallow copy when that was needed). `warnings`
 * name parts of an accepted object that kproxy ignores.
 */
export function validateObject(
  obj: unknown,
  origin: string,
  limits: ServiceLimits = {},
): { object?: KubeObject; errors: InputError[]; warnings?: InputError[] } {
  if (!isRecord(obj)) {
    const checks = new FieldChecks({ origin });
    checks.fail(undefined, `got ${show(obj)}, expected an API object (a mapping with apiVersion and kind)`, 'KPROXY_KIND');
    return { errors: checks.errors };
  }
  const kind = obj['kind'];
  const meta = isRecord(obj['metadata']) ? obj['metadata'] : undefined;
  const rawName = typeof meta?.['name'] === 'string' ? meta['name'] : undefined;
  const known = typeof kind === 'string' && Object.hasOwn(SUPPORTED, kind);
  const rawNamespace = typeof meta?.['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : undefined;
  const namespace = known && isNamespaced(kind as ObjectKind) ? (rawNamespace ?? DEFAULT_NAMESPACE) : undefined;
  const checks = new FieldChecks({
    origin,
    kind: typeof kind === 'string' ? kind : 'object',
    ...(namespace !== undefined ? { namespace } : {}),
    ...(rawName !== undefined ? { name: rawName } : {}),
  });

  if (!known) {
    checks.fail('kind', `got kind ${show(kind)} apiVersion ${show(obj['apiVersion'])}; kproxy reads ${SUPPORTED_TEXT}`, 'KPROXY_KIND');
    return { errors: checks.errors };
  }
  const objectKind = kind as ObjectKind;
  if (obj['apiVersion'] !== SUPPORTED[objectKind]) {
    checks.fail('apiVersion', `got ${show(obj['apiVersion'])} for kind ${objectKind}, allowed: ${SUPPORTED[objectKind]}`, 'KPROXY_KIND');
    return { errors: checks.errors };
  }
  checkMetadata(checks, obj['metadata'], objectKind);
  if (checks.errors.length > 0) return { errors: checks.errors };

  if (objectKind === 'Service') checkService(checks, obj, limits);
  else if (objectKind === 'EndpointSlice') checkEndpointSlice(checks, obj, limits);
  else checkNode(checks, obj);
  if (checks.errors.length > 0) return { errors: checks.errors };
  const object = withNamespace(obj, namespace) as unknown as KubeObject;
  return checks.warnings.length > 0 ? { object, errors: [], warnings: checks.warnings } : { object, errors: [] };
}

function checkMetadata(checks: FieldChecks, metadata: unknown, kind: ObjectKind): void {
  if (!isRecord(metadata)) {
    checks.fail('metadata', `got ${show(metadata)}, must be a mapping with at least a name`);
    return;
  }
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') checks.fail('metadata.name', `got ${show(name)}, must be a non-empty string`);
  else checks.format('metadata.name', name, NAME_FORMAT[kind]);
  checks.format('metadata.namespace', checks.string('metadata.namespace', metadata['namespace']), dns1123LabelProblem);
  checks.stringMap('metadata.labels', metadata['labels']);
  checks.stringMap('metadata.annotations', metadata['annotations']);
  checkKeys(checks, 'metadata.labels', metadata['labels'], true);
  checkKeys(checks, 'metadata.annotations', metadata['annotations'], false);
  for (const field of ['creationTimestamp', 'deletionTimestamp'] as const) {
    const value = checks.string(`metadata.${field}`, metadata[field]);
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      checks.fail(`metadata.${field}`, `got ${show(value)}, must be an RFC 3339 time such as 2024-01-02T15:04:05Z`);
    }
  }
}

/** Label and annotation keys are qualified names; label values have their own format. */
function checkKeys(checks: FieldChecks, field: string, map: unknown, labels: boolean): void {
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) checks.fail(`${field}[${show(key)}]`, `the key ${keyProblem}`);
    if (labels && typeof value === 'string') checks.format(`${field}[${show(key)}]`, value, labelValueProblem);
  }
}

function withNamespace(obj: Json, namespace: string | undefined): Json {
  const meta = obj['metadata'] as Json;
  if (meta['namespace'] === namespace) return obj;
  const metadata: Json = { ...meta };
  if (namespace === undefined) delete metadata['namespace'];
  else metadata['namespace'] = namespace;
  return { ...obj, metadata };
}
