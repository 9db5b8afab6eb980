// Checks of a v1 Service beyond its metadata: the subset of API-server validation kproxy depends on.

import { isIP } from 'node:net';
import { FieldChecks, show, type Json } from './field-checks.js';
import { ianaServiceNameProblem } from './name-checks.js';
import { specialIPProblem } from './special-ips.js';

export interface ServiceLimits {
  /** The cluster's service-node-port-range, when known; otherwise any port 1..65535 is accepted. */
  nodePortRange?: readonly [number, number];
  /**
   * Accept loopback endpoint addresses (the userspace mode, which connects to backends itself, can reach
   * a local one; the kernel modes cannot DNAT to one). The API server refuses them.
   */
  allowLoopbackEndpoints?: boolean;
}

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const FAMILIES = ['IPv4', 'IPv6'] as const;
const POLICIES = ['Cluster', 'Local'] as const;
/** Upstream's bounds for sessionAffinityConfig.clientIP.timeoutSeconds (max is one day). */
const MAX_AFFINITY_SECONDS = 86400;

export function checkService(checks: FieldChecks, obj: Json, limits: ServiceLimits): void {
  const spec = checks.record('spec', obj['spec']);
  if (!spec) {
    if (obj['spec'] === undefined || obj['spec'] === null) checks.fail('spec', 'is missing; a Service needs a spec');
    return;
  }
  const type = checks.oneOf('spec.type', spec['type'], TYPES) ?? 'ClusterIP';
  const families = checkClusterIPs(checks, spec);
  checkPorts(checks, spec, type, limits);
  checkExternalIPs(checks, spec, families);
  const lbIP = checks.string('spec.loadBalancerIP', spec['loadBalancerIP']);
  if (lbIP) checks.ip('spec.loadBalancerIP', lbIP);
  checks
    .array('spec.loadBalancerSourceRanges', spec['loadBalancerSourceRanges'])
    .forEach((cidr, i) => checks.cidr(`spec.loadBalancerSourceRanges[${i}]`, cidr));
  checks.oneOf('spec.externalTrafficPolicy', spec['externalTrafficPolicy'], POLICIES);
  checks.oneOf('spec.internalTrafficPolicy', spec['internalTrafficPolicy'], POLICIES);
  checks.intInRange('spec.healthCheckNodePort', spec['healthCheckNodePort'], 0, 65535);
  checks.oneOf('spec.sessionAffinity', spec['sessionAffinity'], ['None', 'ClientIP'] as const);
  const affinity = checks.record('spec.sessionAffinityConfig', spec['sessionAffinityConfig']);
  const clientIP = checks.record('spec.sessionAffinityConfig.clientIP', affinity?.['clientIP']);
  checks.intInRange('spec.sessionAffinityConfig.clientIP.timeoutSeconds', clientIP?.['timeoutSeconds'], 1, MAX_AFFINITY_SECONDS);
  checks.string('spec.trafficDistribution', spec['trafficDistribution']);
  checks.string('spec.externalName', spec['externalName']);
  checkIngress(checks, obj['status']);
}

function familyName(ip: string): 'IPv4' | 'IPv6' | undefined {
  const family = isIP(ip);
  return family === 4 ? 'IPv4' : family === 6 ? 'IPv6' : undefined;
}

/** Upstream refuses special addresses; one of a family the Service has no ClusterIP in is ignored, as upstream. */
function checkExternalIPs(checks: FieldChecks, spec: Json, families: ReadonlySet<string>): void {
  checks.array('spec.externalIPs', spec['externalIPs']).forEach((ip, i) => {
    const field = `spec.externalIPs[${i}]`;
    if (!checks.ip(field, ip)) return;
    const special = specialIPProblem(ip as string);
    if (special) {
      checks.fail(field, `got ${show(ip)}, ${special}`);
      return;
    }
    const family = familyName(ip as string);
    if (families.size > 0 && family !== undefined && !families.has(family)) {
      const have = [...families].join(' and ');
      checks.warn(field, `got ${show(ip)}, an ${family} address, but the Service has only ${have} ClusterIPs; this external IP is ignored`);
    }
  });
}

/** Checks the ClusterIP fields and returns the families of the valid ClusterIPs (empty when headless). */
function checkClusterIPs(checks: FieldChecks, spec: Json): Set<string> {
  const clusterIP = checks.string('spec.clusterIP', spec['clusterIP']);
  if (clusterIP && clusterIP !== 'None') checks.ip('spec.clusterIP', clusterIP);
  const clusterIPs = checks.array('spec.clusterIPs', spec['clusterIPs']);
  const ipFamilies = checks.array('spec.ipFamilies', spec['ipFamilies']);
  checks.oneOf('spec.ipFamilyPolicy', spec['ipFamilyPolicy'], ['SingleStack', 'PreferDualStack', 'RequireDualStack'] as const);
  if (clusterIPs.length > 2) checks.fail('spec.clusterIPs', `got ${clusterIPs.length} addresses, at most 2 (one per family) are allowed`);
  if (ipFamilies.length > 2) checks.fail('spec.ipFamilies', `got ${ipFamilies.length} families, at most 2 are allowed`);
  ipFamilies.forEach((f, i) => checks.oneOf(`spec.ipFamilies[${i}]`, f, FAMILIES));
  if (ipFamilies.length === 2 && ipFamilies[0] === ipFamilies[1]) {
    checks.fail('spec.ipFamilies', `got ${show(ipFamilies)}, the two families must differ`);
  }

  const isNone = clusterIPs.length === 1 && clusterIPs[0] === 'None';
  const families: (string | undefined)[] = [];
  clusterIPs.forEach((ip, i) => {
    if (ip === 'None' && isNone) return;
    families[i] = checks.ip(`spec.clusterIPs[${i}]`, ip) ? familyName(ip as string) : undefined;
  });
  if (families.length === 2 && families[0] !== undefined && families[0] === families[1]) {
    checks.fail('spec.clusterIPs', `got ${show(clusterIPs)}, a dual-stack Service needs one IPv4 and one IPv6 address`);
  }
  if (clusterIP !== undefined && clusterIP !== '' && clusterIPs.length > 0 && clusterIPs[0] !== clusterIP) {
    checks.fail('spec.clusterIPs[0]', `got ${show(clusterIPs[0])}, must equal spec.clusterIP ${show(clusterIP)}`);
  }
  // Each ClusterIP must be of the family listed at the same index (the primary family comes first).
  const primary = clusterIPs.length > 0 ? families : [clusterIP && clusterIP !== 'None' ? familyName(clusterIP) : undefined];
  primary.forEach((family, i) => {
    const declared = ipFamilies[i];
    if (family !== undefined && typeof declared === 'string' && declared !== family) {
      checks.fail(`spec.ipFamilies[${i}]`, `got ${declared}, but the ClusterIP at index ${i} is ${family}`);
    }
  });
  return new Set(primary.filter((f): f is string => f !== undefined));
}

function checkPorts(checks: FieldChecks, spec: Json, type: (typeof TYPES)[number], limits: ServiceLimits): void {
  const ports = checks.array('spec.ports', spec['ports']);
  const names = new Map<string, number>();
  const portProtocols = new Map<string, number>();
  ports.forEach((raw, i) => {
    const field = `spec.ports[${i}]`;
    const port = checks.entry(field, raw);
    if (!port) return;
    if (port['port'] === undefined) checks.fail(`${field}.port`, 'is missing, must be an integer from 1 to 65535');
    else checks.intInRange(`${field}.port`, port['port'], 1, 65535);
    const protocol = checks.oneOf(`${field}.protocol`, port['protocol'], PROTOCOLS) ?? 'TCP';
    const name = checks.string(`${field}.name`, port['name']) ?? '';
    checks.format(`${field}.name`, name, ianaServiceNameProblem);
    checkTargetPort(checks, `${field}.targetPort`, port['targetPort']);
    checks.string(`${field}.appProtocol`, port['appProtocol']);
    checkNodePort(checks, `${field}.nodePort`, port['nodePort'], type, limits);

    if (ports.length > 1 && name === '') checks.fail(`${field}.name`, 'is empty; every port of a multi-port Service needs a name');
    const sameName = names.get(name);
    if (name !== '' && sameName !== undefined) checks.fail(`${field}.name`, `${show(name)} is already used by spec.ports[${sameName}]`);
    names.set(name, i);
    const portKey = `${String(port['port'])}/${protocol}`;
    const samePort = portProtocols.get(portKey);
    if (samePort !== undefined) checks.fail(field, `port ${portKey} is already declared by spec.ports[${samePort}]`);
    portProtocols.set(portKey, i);
  });
}

function checkTargetPort(checks: FieldChecks, field: string, value: unknown): void {
  if (typeof value === 'string') {
    if (value === '') checks.fail(field, 'is an empty string, must be a port number or a port name');
    else checks.format(field, value, ianaServiceNameProblem);
    return;
  }
  checks.intInRange(field, value, 1, 65535);
}

function checkNodePort(checks: FieldChecks, field: string, value: unknown, type: string, limits: ServiceLimits): void {
  if (value === undefined || value === null || value === 0) return;
  if (!checks.intInRange(field, value, 1, 65535)) return;
  if (type !== 'NodePort' && type !== 'LoadBalancer') {
    checks.fail(field, `got ${show(value)}, but a node port may only be set when spec.type is NodePort or LoadBalancer (type is ${type})`);
    return;
  }
  const range = limits.nodePortRange;
  if (range && ((value as number) < range[0] || (value as number) > range[1])) {
    checks.fail(field, `got ${show(value)}, outside the node port range ${range[0]}-${range[1]}`);
  }
}

function checkIngress(checks: FieldChecks, status: unknown): void {
  const lb = checks.record('status.loadBalancer', checks.record('status', status)?.['loadBalancer']);
  checks.array('status.loadBalancer.ingress', lb?.['ingress']).forEach((raw, i) => {
    const field = `status.loadBalancer.ingress[${i}]`;
    const ingress = checks.entry(field, raw);
    if (!ingress) return;
    const ip = checks.string(`${field}.ip`, ingress['ip']);
    if (ip) checks.ip(`${field}.ip`, ip);
    checks.string(`${field}.hostname`, ingress['hostname']);
    checks.oneOf(`${field}.ipMode`, ingress['ipMode'], ['VIP', 'Proxy'] as const);
  });
}
