// What a command-line flag is (FlagDef), what parsing flags builds up (FlagState), and the value parsers
// the flag definitions share. Value syntax follows spf13/pflag as kube-proxy uses it: Go booleans,
// int32 ranges, Go durations, comma-separated lists where the first use replaces the default.

import { isIP } from 'node:net';
import { canonicalDuration } from './duration.js';
import { DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, defaultConfiguration } from './defaults.js';
import { parseGoBool } from './feature-gates.js';
import type { KproxyOptions, KubeProxyConfiguration } from './types.js';

/** Flags whose effect depends on the final --proxy-mode, resolved once all flags are read. */
export interface DeferredFlags {
  iptablesSyncPeriod?: string;
  iptablesMinSyncPeriod?: string;
  ipvsSyncPeriod?: string;
  ipvsMinSyncPeriod?: string;
  masqueradeAll?: boolean;
  /** Deprecated --healthz-port / --metrics-port; 0 disables the server. */
  healthzPort: number;
  metricsPort: number;
}

export interface FlagState {
  config: KubeProxyConfiguration;
  kproxy: KproxyOptions;
  deferred: DeferredFlags;
  /** --config */
  configFile: string | undefined;
  writeConfigTo: string | undefined;
  cleanup: boolean;
  initOnly: boolean;
  help: boolean;
  version: boolean;
  /** --kubeconfig as given. */
  kubeconfig: string | undefined;
  master: string | undefined;
  /** --hostname-override wins over the config file, so it is kept apart. */
  hostnameOverride: string | undefined;
  /** List flags already used once: later uses append instead of replacing the default. */
  listsStarted: Set<string>;
}

export type FlagType =
  | 'bool' | 'string' | 'int32' | 'float' | 'duration' | 'strings' | 'map' | 'ip' | 'ipport'
  | 'level' | 'version' | 'quantity' | 'pattern';

export interface FlagDef {
  /** Without the leading dashes. */
  readonly name: string;
  readonly shorthand?: string;
  readonly type: FlagType;
  /** Shown in help ("duration", "strings", "ProxyMode"). */
  readonly valueName?: string;
  readonly defaultText?: string;
  readonly help: string;
  /** A kproxy addition, absent from upstream kube-proxy. */
  readonly kproxy?: boolean;
  /** Upstream ignores this flag when --config is given (the file replaces it). */
  readonly ignoredWithConfig?: boolean;
  /** A logging flag: upstream lets it win over the config file's logging section. */
  readonly logging?: boolean;
  /** Deprecation notice printed as a warning when the flag is used. */
  readonly deprecated?: string;
  /** Config fields this flag sets, so validation errors can name the flag too. */
  readonly fields?: readonly string[];
  /** Applies a raw value; throws FlagValueError when the value is not acceptable. */
  apply(state: FlagState, raw: string): void;
}

export class FlagValueError extends Error {}

export function newFlagState(): FlagState {
  return {
    config: defaultConfiguration(),
    kproxy: { from: [], userspacePortals: undefined, serviceProxyName: '', iptablesBackend: 'auto' },
    deferred: { healthzPort: DEFAULT_HEALTHZ_PORT, metricsPort: DEFAULT_METRICS_PORT },
    configFile: undefined,
    writeConfigTo: undefined,
    cleanup: false,
    initOnly: false,
    help: false,
    version: false,
    kubeconfig: undefined,
    master: undefined,
    hostnameOverride: undefined,
    listsStarted: new Set(),
  };
}

export function boolValue(raw: string): boolean {
  const value = parseGoBool(raw);
  if (value === undefined) throw new FlagValueError('must be true or false');
  return value;
}

export function int32Value(raw: string): number {
  if (!/^[+-]?\d+$/.test(raw)) throw new FlagValueError('must be an integer');
  const value = Number(raw);
  if (value < -(2 ** 31) || value > 2 ** 31 - 1) throw new FlagValueError('must fit in 32 bits');
  return value;
}

export function floatValue(raw: string): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw new FlagValueError('must be a number');
  return value;
}

export function durationValue(raw: string): string {
  try {
    return canonicalDuration(raw);
  } catch (err) {
    throw new FlagValueError((err as Error).message);
  }
}

export function ipValue(raw: string): string {
  if (raw !== '' && isIP(raw) === 0) throw new FlagValueError('must be an IP address');
  return raw;
}

/** "", "IP" or "IP:port" ("[IPv6]:port"), as upstream's IPPortVar accepts. */
export function ipPortValue(raw: string): string {
  if (raw === '' || isIP(raw) !== 0) return raw;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(raw);
  const host = m?.[1] ?? m?.[2];
  if (!host || isIP(host) === 0 || (m?.[2] !== undefined && isIP(host) === 6)) {
    throw new FlagValueError('must be an IP or IP:port (IPv6 as [IP]:port)');
  }
  return raw;
}

export function oneOf<T extends string>(raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new FlagValueError(`must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return raw as T;
}

/** Comma-separated items; "" is an empty list. */
export function listValue(raw: string): string[] {
  return raw === '' ? [] : raw.split(',');
}

/** The first use of a list flag replaces the default, later uses append (pflag's StringSlice). */
export function addToList(state: FlagState, flag: string, current: string[], items: string[]): string[] {
  if (!state.listsStarted.has(flag)) {
    state.listsStarted.add(flag);
    return [...items];
  }
  return [...current, ...items];
}
