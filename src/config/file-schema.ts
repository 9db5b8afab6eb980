// The shape of a KubeProxyConfiguration document: every field's JSON type, used to decode a config file
// strictly (unknown field, wrong type -> an error naming the field) and to know which fields upstream
// re-defaults when they hold their zero value.

import { canonicalDuration } from './duration.js';
import { shown } from './config-error.js';
import type { VModuleItem } from './types.js';

export type FieldKind =
  | 'string' | 'bool' | 'int32' | 'uint32' | 'float' | 'duration' | 'flushDuration'
  | 'stringList' | 'boolMap' | 'vmodule' | 'quantity';

export interface ObjectSchema {
  readonly [field: string]: FieldKind | ObjectSchema;
}

const routing: ObjectSchema = { splitStream: 'bool', infoBufferSize: 'quantity' };

export const CONFIG_SCHEMA: ObjectSchema = {
  featureGates: 'boolMap',
  clientConnection: { kubeconfig: 'string', acceptContentTypes: 'string', contentType: 'string', qps: 'float', burst: 'int32' },
  logging: {
    format: 'string', flushFrequency: 'flushDuration', verbosity: 'uint32', vmodule: 'vmodule',
    options: { text: routing, json: routing },
  },
  hostnameOverride: 'string',
  bindAddress: 'string',
  healthzBindAddress: 'string',
  metricsBindAddress: 'string',
  bindAddressHardFail: 'bool',
  enableProfiling: 'bool',
  showHiddenMetricsForVersion: 'string',
  mode: 'string',
  iptables: {
    masqueradeBit: 'int32', masqueradeAll: 'bool', localhostNodePorts: 'bool', snatNodeInternalIP: 'bool',
    syncPeriod: 'duration', minSyncPeriod: 'duration',
  },
  ipvs: {
    syncPeriod: 'duration', minSyncPeriod: 'duration', scheduler: 'string', excludeCIDRs: 'stringList',
    strictARP: 'bool', tcpTimeout: 'duration', tcpFinTimeout: 'duration', udpTimeout: 'duration',
  },
  nftables: { masqueradeBit: 'int32', masqueradeAll: 'bool', syncPeriod: 'duration', minSyncPeriod: 'duration' },
  winkernel: {
    networkName: 'string', sourceVip: 'string', enableDSR: 'bool', rootHnsEndpointName: 'string',
    forwardHealthCheckVip: 'bool',
  },
  detectLocalMode: 'string',
  detectLocal: { bridgeInterface: 'string', interfaceNamePrefix: 'string' },
  clusterCIDR: 'string',
  nodePortAddresses: 'stringList',
  oomScoreAdj: 'int32',
  conntrack: {
    maxPerCore: 'int32', min: 'int32', tcpEstablishedTimeout: 'duration', tcpCloseWaitTimeout: 'duration',
    tcpBeLiberal: 'bool', udpTimeout: 'duration', udpStreamTimeout: 'duration',
  },
  configSyncPeriod: 'duration',
  portRange: 'string',
  windowsRunAsService: 'bool',
};

/**
 * Non-pointer fields that upstream's defaulting overwrites when they hold their zero value ("", 0,
 * "0s"), so e.g. `iptables.minSyncPeriod: 0s` in a file still ends up 1s. Pointer fields (masqueradeBit,
 * oomScoreAdj, conntrack.maxPerCore, ...) keep an explicit zero.
 */
export const ZERO_MEANS_DEFAULT: ReadonlySet<string> = new Set([
  'bindAddress', 'healthzBindAddress', 'metricsBindAddress',
  'iptables.syncPeriod', 'iptables.minSyncPeriod', 'ipvs.syncPeriod',
  'nftables.syncPeriod', 'nftables.minSyncPeriod', 'configSyncPeriod',
  'clientConnection.contentType', 'clientConnection.qps', 'clientConnection.burst',
  'logging.format', 'logging.flushFrequency', 'logging.options.text.infoBufferSize',
  'logging.options.json.infoBufferSize',
]);

export function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === '0s' || value === '0';
}

type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;

function duration(value: unknown): Converted {
  if (typeof value !== 'string') return { ok: false, reason: 'must be a duration string such as "30s" or "1m0s"' };
  try {
    return { ok: true, value: canonicalDuration(value) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

function vmodule(value: unknown): Converted {
  if (!Array.isArray(value)) return { ok: false, reason: 'must be a list of {filePattern, verbosity}' };
  const items: VModuleItem[] = [];
  for (const item of value) {
    const ok = item && typeof item === 'object' && typeof item.filePattern === 'string' &&
      Number.isInteger(item.verbosity) && item.verbosity >= 0 && Object.keys(item).every((k) => k === 'filePattern' || k === 'verbosity');
    if (!ok) return { ok: false, reason: `entry ${shown(item)} must be {filePattern: string, verbosity: non-negative integer}` };
    items.push({ filePattern: item.filePattern, verbosity: item.verbosity });
  }
  return { ok: true, value: items };
}

/** Converts a decoded JSON/YAML value to the field's type, or says why it cannot. */
export function convertField(kind: FieldKind, value: unknown): Converted {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : { ok: false, reason: 'must be a string' };
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, reason: 'must be true or false' };
    case 'int32':
      return Number.isInteger(value) && (value as number) >= INT32_MIN && (value as number) <= INT32_MAX
        ? { ok: true, value } : { ok: false, reason: 'must be a 32-bit integer' };
    case 'uint32':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 32 - 1
        ? { ok: true, value } : { ok: false, reason: 'must be a non-negative integer' };
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: 'must be a number' };
    case 'duration':
      return duration(value);
    case 'flushDuration':
      // component-base accepts a duration string or a number of nanoseconds here.
      if (typeof value === 'number' && Number.isInteger(value)) return { ok: true, value: canonicalDuration(`${value}ns`) };
      return duration(value);
    case 'stringList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? { ok: true, value: [...value] } : { ok: false, reason: 'must be a list of strings' };
    case 'boolMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'boolean')
        ? { ok: true, value: { ...value } } : { ok: false, reason: 'must be a map of feature name to true/false' };
    case 'vmodule':
      return vmodule(value);
    case 'quantity':
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
      return typeof value === 'string' && QUANTITY.test(value)
        ? { ok: true, value } : { ok: false, reason: 'must be a quantity such as "0", "512", "1Ki" or "2M"' };
  }
}
