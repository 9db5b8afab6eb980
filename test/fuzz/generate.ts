// Random and mutated Services, EndpointSlices and Nodes for the input fuzz test. Objects start plausible
// (addresses in the service, pod and external ranges, ports that match their slices) so that many are
// accepted and reach the renderers and the kernel, and are then mutated with values a file may hold and
// the API server would refuse: quotes, backslashes, newlines, long names, special and malformed addresses,
// wrong types. Everything comes from one seeded generator, so a seed reproduces a failure exactly.

/** mulberry32: small, fast and good enough to drive a fuzzer; the same seed gives the same sequence. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  some<T>(items: readonly T[], max: number): T[] {
    return Array.from({ length: this.int(0, max) }, () => this.pick(items));
  }
}

const NAMES = ['web', 'db', 'api', 'q', 'svc-1', 'a'];
const PORT_NAMES = ['http', 'https', 'dns', 'metrics', 'p1', ''];
const NASTY_STRINGS = [
  'a"b',
  'a\\b',
  'x\\',
  'line\nbreak',
  'tab\there',
  'semi;colon',
  '{brace}',
  "it's",
  '#hash',
  'UPPER',
  '-lead',
  'a--b',
  '1234',
  'ü',
  'a'.repeat(64),
  'b'.repeat(300),
  ' ',
  '',
  'with space',
  '$(touch x)',
  '`id`',
  'a/b',
  'a:b',
  '%',
];
const SPECIAL_IPS = ['0.0.0.0', '255.255.255.255', '127.0.0.1', '169.254.169.254', '224.0.0.1', '239.1.1.1', '::', '::1', 'fe80::1', 'ff02::1', 'fe80::1%eth0', '::ffff:10.244.0.9', '10.244.0.1/32', ' 10.244.0.2', '010.244.0.3', '10.244.0.256', 'FD44::5', 'not-an-ip'];
const WRONG_TYPES: readonly unknown[] = [null, 0, -1, 65536, 1.5, true, 'string', [], {}, ['x'], { a: 1 }];

export function nastyValue(r: Random): unknown {
  const roll = r.next();
  if (roll < 0.5) return r.pick(NASTY_STRINGS);
  if (roll < 0.8) return r.pick(SPECIAL_IPS);
  return r.pick(WRONG_TYPES);
}

const ip4 = (r: Random, prefix: string): string => `${prefix}.${r.int(0, 3)}.${r.int(1, 254)}`;
const ip6 = (r: Random, prefix: string): string => `${prefix}::${r.int(1, 0xffff).toString(16)}`;

function clusterFields(r: Random): Record<string, unknown> {
  const v4 = ip4(r, '10.96');
  const v6 = ip6(r, 'fd96');
  const roll = r.next();
  if (roll < 0.5) return { clusterIP: v4, clusterIPs: [v4], ipFamilies: ['IPv4'] };
  if (roll < 0.65) return { clusterIP: v6, clusterIPs: [v6], ipFamilies: ['IPv6'] };
  if (roll < 0.85) return { clusterIP: v4, clusterIPs: [v4, v6], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' };
  if (roll < 0.9) return { clusterIP: v4 };
  if (roll < 0.95) return { clusterIP: 'None' };
  return { clusterIP: r.pick(SPECIAL_IPS) };
}

export function randomService(r: Random): Record<string, unknown> {
  const name = r.pick(NAMES);
  const type = r.pick(['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);
  const portCount = r.int(1, 3);
  const names = portCount === 1 ? [r.pick(PORT_NAMES)] : ['http', 'dns', 'metrics'].slice(0, portCount);
  const ports = names.map((portName, i) => ({
    ...(portName !== '' ? { name: portName } : {}),
    port: r.chance(0.8) ? 80 + i : r.int(1, 65535),
    protocol: r.pick(['TCP', 'TCP', 'UDP', 'SCTP']),
    targetPort: r.chance(0.7) ? 8080 + i : portName || 8080,
    ...(type === 'NodePort' || type === 'LoadBalancer' ? { nodePort: r.int(30000, 32767) } : {}),
  }));
  const spec: Record<string, unknown> = { type, ...clusterFields(r), ports };
  if (r.chance(0.3)) spec['externalIPs'] = r.some(['203.0.113.7', '203.0.113.8', '2001:db8::7'], 2);
  if (r.chance(0.3)) spec['sessionAffinity'] = 'ClientIP';
  if (r.chance(0.2)) spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: r.int(1, 86400) } };
  if (r.chance(0.3)) spec['externalTrafficPolicy'] = r.pick(['Cluster', 'Local']);
  if (r.chance(0.2)) spec['internalTrafficPolicy'] = r.pick(['Cluster', 'Local']);
  if (type === 'LoadBalancer' && r.chance(0.5)) spec['healthCheckNodePort'] = r.int(30000, 32767);
  if (r.chance(0.2)) spec['loadBalancerSourceRanges'] = r.some(['192.0.2.0/24', '198.51.100.0/25', '2001:db8:1::/48'], 2);
  if (type === 'ExternalName') spec['externalName'] = 'example.org';
  const status = type === 'LoadBalancer' && r.chance(0.7) ? { loadBalancer: { ingress: [{ ip: r.pick(['203.0.113.20', '2001:db8::20']), ...(r.chance(0.3) ? { ipMode: r.pick(['VIP', 'Proxy']) } : {}) }] } } : undefined;
  const annotations = r.chance(0.3) ? { 'kproxy.io/scheduler': r.pick(['rr', 'sh', 'dh', 'mh', 'random', 'lc', 'bogus']) } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: r.pick(['default', 'ns1']), ...(annotations ? { annotations } : {}) },
    spec,
    ...(status ? { status } : {}),
  };
}

export function randomSlice(r: Random): Record<string, unknown> {
  const service = r.pick(NAMES);
  const addressType = r.pick(['IPv4', 'IPv4', 'IPv6', 'FQDN']);
  const address = (): string => (addressType === 'IPv6' ? ip6(r, 'fd44') : addressType === 'IPv4' ? ip4(r, '10.244') : 'pod.example.org');
  const endpoints = Array.from({ length: r.int(0, 4) }, () => ({
    addresses: [r.chance(0.05) ? ip4(r, '10.96') : address()],
    conditions: { ready: r.chance(0.8), serving: r.chance(0.9), terminating: r.chance(0.1) },
    ...(r.chance(0.6) ? { nodeName: r.pick(['node-a', 'node-b']) } : {}),
    ...(r.chance(0.3) ? { zone: r.pick(['zone-a', 'zone-b']) } : {}),
    ...(r.chance(0.2) ? { hints: { forZones: [{ name: r.pick(['zone-a', 'zone-b']) }] } } : {}),
  }));
  const ports = r.some(['http', 'dns', 'metrics', ''], 3).map((name, i) => ({ ...(name ? { name } : {}), port: 8080 + i, protocol: r.pick(['TCP', 'UDP']) }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${r.int(1, 3)}`, namespace: r.pick(['default', 'ns1']), labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints,
    ports,
  };
}

export function randomNode(r: Random): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': r.pick(['zone-a', 'zone-b']) } },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    status: { addresses: [{ type: 'InternalIP', address: '10.77.0.1' }] },
  };
}

/** Replaces one randomly chosen leaf (or object) somewhere in `obj` with a nasty value, in place. */
export function mutate(r: Random, obj: Record<string, unknown>): void {
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((v, i) => (paths.push({ parent: node, key: i }), walk(v)));
    else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'apiVersion' || k === 'kind') continue;
        paths.push({ parent: node as Record<string, unknown>, key: k });
        walk(v);
      }
    }
  };
  walk(obj);
  if (paths.length === 0) return;
  const { parent, key } = r.pick(paths);
  (parent as Record<string | number, unknown>)[key] = nastyValue(r);
}

/** A batch of objects, some of them mutated once or twice. */
export function randomBatch(r: Random, size: number): Record<string, unknown>[] {
  return Array.from({ length: size }, () => {
    const roll = r.next();
    const obj = roll < 0.45 ? randomService(r) : roll < 0.92 ? randomSlice(r) : randomNode(r);
    if (r.chance(0.35)) mutate(r, obj);
    if (r.chance(0.1)) mutate(r, obj);
    return obj;
  });
}
