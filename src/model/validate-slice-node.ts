// Checks of a discovery.k8s.io/v1 EndpointSlice and a v1 Node beyond their metadata.

import { FieldChecks, show, type Json } from './field-checks.js';
import { dns1123LabelProblem, dns1123SubdomainProblem } from './name-checks.js';
import { specialIPProblem } from './special-ips.js';
import type { ServiceLimits } from './validate-service.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export function checkEndpointSlice(checks: FieldChecks, obj: Json, limits: ServiceLimits): void {
  const addressType = obj['addressType'];
  if (addressType === undefined) {
    checks.fail('addressType', `is missing, allowed: ${ADDRESS_TYPES.join(', ')}`);
    return;
  }
  const type = checks.oneOf('addressType', addressType, ADDRESS_TYPES);
  const family = type === 'IPv4' ? 4 : type === 'IPv6' ? 6 : undefined;
  const allowLoopback = limits.allowLoopbackEndpoints ?? false;
  checks.array('endpoints', obj['endpoints']).forEach((raw, i) => checkEndpoint(checks, `endpoints[${i}]`, raw, family, allowLoopback));
  const names = new Map<string, number>();
  checks.array('ports', obj['ports']).forEach((raw, i) => {
    const field = `ports[${i}]`;
    const port = checks.entry(field, raw);
    if (!port) return;
    // A missing port number is legal (it means "all ports"); kproxy ignores such a port, as upstream does.
    checks.intInRange(`${field}.port`, port['port'], 1, 65535);
    checks.oneOf(`${field}.protocol`, port['protocol'], PROTOCOLS);
    checks.string(`${field}.appProtocol`, port['appProtocol']);
    const name = checks.string(`${field}.name`, port['name']) ?? '';
    checks.format(`${field}.name`, name, dns1123LabelProblem);
    const same = names.get(name);
    if (same !== undefined) checks.fail(`${field}.name`, `${show(name)} is already used by ports[${same}]`);
    names.set(name, i);
  });
}

function checkEndpoint(checks: FieldChecks, field: string, raw: unknown, family: 4 | 6 | undefined, allowLoopback: boolean): void {
  const endpoint = checks.entry(field, raw);
  if (!endpoint) return;
  const addresses = checks.array(`${field}.addresses`, endpoint['addresses']);
  if (addresses.length === 0) checks.fail(`${field}.addresses`, 'is empty, must list at least one address');
  addresses.forEach((address, j) => {
    const at = `${field}.addresses[${j}]`;
    if (family === undefined) checks.string(at, address);
    else if (checks.ip(at, address, family)) {
      const special = specialIPProblem(address as string, { allowLoopback });
      if (special) checks.fail(at, `got ${show(address)}, ${special}`);
    }
  });
  const conditions = checks.record(`${field}.conditions`, endpoint['conditions']);
  for (const c of ['ready', 'serving', 'terminating']) checks.boolean(`${field}.conditions.${c}`, conditions?.[c]);
  checks.format(`${field}.nodeName`, checks.string(`${field}.nodeName`, endpoint['nodeName']), dns1123SubdomainProblem);
  checks.string(`${field}.zone`, endpoint['zone']);
  checks.format(`${field}.hostname`, checks.string(`${field}.hostname`, endpoint['hostname']), dns1123LabelProblem);
  const hints = checks.record(`${field}.hints`, endpoint['hints']);
  for (const list of ['forZones', 'forNodes']) {
    checks.array(`${field}.hints.${list}`, hints?.[list]).forEach((hint, k) => {
      const name = checks.entry(`${field}.hints.${list}[${k}]`, hint)?.['name'];
      if (typeof name !== 'string' || name === '') {
        checks.fail(`${field}.hints.${list}[${k}].name`, `got ${show(name)}, must be a non-empty string`);
      }
    });
  }
}

export function checkNode(checks: FieldChecks, obj: Json): void {
  const spec = checks.record('spec', obj['spec']);
  const podCIDR = checks.string('spec.podCIDR', spec?.['podCIDR']);
  if (podCIDR) checks.cidr('spec.podCIDR', podCIDR);
  checks.array('spec.podCIDRs', spec?.['podCIDRs']).forEach((cidr, i) => checks.cidr(`spec.podCIDRs[${i}]`, cidr));
  checks.array('spec.taints', spec?.['taints']).forEach((raw, i) => {
    const taint = checks.entry(`spec.taints[${i}]`, raw);
    if (taint && typeof taint['key'] !== 'string') checks.fail(`spec.taints[${i}].key`, `got ${show(taint['key'])}, must be a string`);
  });
  const status = checks.record('status', obj['status']);
  checks.array('status.addresses', status?.['addresses']).forEach((raw, i) => {
    const field = `status.addresses[${i}]`;
    const address = checks.entry(field, raw);
    if (!address) return;
    const type = checks.string(`${field}.type`, address['type']);
    // Hostname and DNS entries are names; only the IP types must hold an address.
    if (type === 'InternalIP' || type === 'ExternalIP') checks.ip(`${field}.address`, address['address']);
    else checks.string(`${field}.address`, address['address']);
  });
}
