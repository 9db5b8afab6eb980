// A small structural check of Kubernetes manifests: required fields, their types, and no unknown fields
// (a typo such as `hostNetwrok` would otherwise be silently ignored by the API server's decoder in lax
// mode and go unnoticed). Only the fields the deploy manifests use are described.

/** 'string' | 'int' | 'boolean' | 'map' (string to string) | 'object' (anything) | nested shape | [element]. */
export type Shape = 'string' | 'int' | 'boolean' | 'map' | 'object' | { [field: string]: Shape } | [Shape];

const META: Shape = { name: 'string', 'namespace?': 'string', 'labels?': 'map', 'annotations?': 'map' };
const CONTAINER: Shape = {
  name: 'string',
  image: 'string',
  'imagePullPolicy?': 'string',
  'command?': ['string'],
  'args?': ['string'],
  'env?': [{ name: 'string', 'value?': 'string', 'valueFrom?': 'object' }],
  'securityContext?': { 'privileged?': 'boolean', 'allowPrivilegeEscalation?': 'boolean', 'capabilities?': { 'add?': ['string'], 'drop?': ['string'] } },
  'ports?': [{ 'name?': 'string', containerPort: 'int', 'hostPort?': 'int', 'protocol?': 'string' }],
  'resources?': 'object',
  'volumeMounts?': [{ name: 'string', mountPath: 'string', 'readOnly?': 'boolean' }],
};
const POD_SPEC: Shape = {
  'serviceAccountName?': 'string',
  'priorityClassName?': 'string',
  'hostNetwork?': 'boolean',
  'dnsPolicy?': 'string',
  'nodeSelector?': 'map',
  'tolerations?': [{ 'key?': 'string', 'operator?': 'string', 'value?': 'string', 'effect?': 'string' }],
  containers: [CONTAINER],
  'volumes?': [{ name: 'string', 'configMap?': { name: 'string' }, 'hostPath?': { path: 'string', 'type?': 'string' } }],
};

export const SCHEMAS: Record<string, { apiVersion: string; shape: Shape }> = {
  ServiceAccount: { apiVersion: 'v1', shape: { apiVersion: 'string', kind: 'string', metadata: META } },
  ConfigMap: { apiVersion: 'v1', shape: { apiVersion: 'string', kind: 'string', metadata: META, 'data?': 'map' } },
  ClusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    shape: { apiVersion: 'string', kind: 'string', metadata: META, rules: [{ apiGroups: ['string'], resources: ['string'], verbs: ['string'] }] },
  },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    shape: {
      apiVersion: 'string',
      kind: 'string',
      metadata: META,
      roleRef: { apiGroup: 'string', kind: 'string', name: 'string' },
      subjects: [{ kind: 'string', name: 'string', 'namespace?': 'string' }],
    },
  },
  DaemonSet: {
    apiVersion: 'apps/v1',
    shape: {
      apiVersion: 'string',
      kind: 'string',
      metadata: META,
      spec: { selector: { matchLabels: 'map' }, 'updateStrategy?': 'object', template: { metadata: { labels: 'map' }, spec: POD_SPEC } },
    },
  },
};

/** Problems with one manifest document, each naming the field path; empty when it conforms. */
export function checkManifest(doc: unknown): string[] {
  const kind = (doc as { kind?: unknown })?.kind;
  const schema = typeof kind === 'string' ? SCHEMAS[kind] : undefined;
  if (!schema) return [`kind: got ${JSON.stringify(kind)}, expected one of ${Object.keys(SCHEMAS).join(', ')}`];
  const problems: string[] = [];
  const apiVersion = (doc as { apiVersion?: unknown }).apiVersion;
  if (apiVersion !== schema.apiVersion) problems.push(`apiVersion: got ${JSON.stringify(apiVersion)}, expected ${schema.apiVersion} for ${kind}`);
  check(doc, schema.shape, kind as string, problems);
  return problems;
}

function check(value: unknown, shape: Shape, path: string, problems: string[]): void {
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return void problems.push(`${path}: expected a list`);
    value.forEach((v, i) => check(v, shape[0], `${path}[${i}]`, problems));
    return;
  }
  if (typeof shape === 'object') {
    if (!isObject(value)) return void problems.push(`${path}: expected a mapping`);
    const fields = new Map(Object.entries(shape).map(([k, s]) => [k.replace(/\?$/, ''), { shape: s, required: !k.endsWith('?') }]));
    for (const [name, f] of fields) {
      if (value[name] === undefined) {
        if (f.required) problems.push(`${path}.${name}: required`);
      } else check(value[name], f.shape, `${path}.${name}`, problems);
    }
    for (const name of Object.keys(value)) if (!fields.has(name)) problems.push(`${path}.${name}: unknown field`);
    return;
  }
  const ok =
    shape === 'string' ? typeof value === 'string'
    : shape === 'int' ? Number.isInteger(value)
    : shape === 'boolean' ? typeof value === 'boolean'
    : shape === 'map' ? isObject(value) && Object.values(value).every((v) => typeof v === 'string')
    : isObject(value);
  if (!ok) problems.push(`${path}: got ${JSON.stringify(value)}, expected ${shape}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
