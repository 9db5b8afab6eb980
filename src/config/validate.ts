// Upstream's configuration validation (pkg/proxy/apis/config/validation), expressed on the v1alpha1
// fields, plus kproxy's rules for what it adds (userspace mode, the random scheduler). Every problem is
// returned, each naming its field path, the value received and what is allowed.

import { parseDurationNs } from './duration.js';
import { featureEnabled, featureGateProblems } from './feature-gates.js';
import { cidrFamily, isPortRange, parseIPPort } from './net-values.js';
import {
  IPVS_SCHEDULERS, LOCAL_MODES, LOGGING_FORMATS, NODEPORT_KEYWORDS, PROXY_MODES,
  type KubeProxyConfiguration, type OutputRoutingOptions,
} from './types.js';
import { isIP } from 'node:net';

export interface FieldProblem {
  field: string;
  value: unknown;
  reason: string;
}

type Report = (field: string, value: unknown, reason: string) => void;

const list = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** The section whose syncPeriod/minSyncPeriod the given mode uses. */
export function syncSectionName(mode: string): 'iptables' | 'ipvs' | 'nftables' {
  if (mode === 'ipvs') return 'ipvs';
  if (mode === 'nftables') return 'nftables';
  return 'iptables';
}

function checkMode(c: KubeProxyConfiguration, report: Report): void {
  const allowed = `allowed: ${list(PROXY_MODES)} ("" lets kproxy choose)`;
  if ((c.mode as string) === 'kernelspace') {
    report('mode', c.mode, `kernelspace is the Windows proxy mode and kproxy runs on Linux; ${allowed}`);
  } else if (!PROXY_MODES.includes(c.mode)) {
    report('mode', c.mode, `unknown proxy mode; ${allowed}`);
  } else if (c.mode === 'ipvs' && !featureEnabled(c.featureGates, 'KubeProxyIPVS')) {
    report('mode', c.mode, 'the ipvs mode is turned off by the KubeProxyIPVS feature gate');
  }
}

function checkDuration(field: string, value: string, rule: 'positive' | 'nonNegative', report: Report): bigint {
  const ns = parseDurationNs(value);
  if (rule === 'positive' && ns <= 0n) report(field, value, 'must be greater than 0');
  if (rule === 'nonNegative' && ns < 0n) report(field, value, 'must be greater than or equal to 0');
  return ns;
}

function checkSync(c: KubeProxyConfiguration, report: Report): void {
  const name = syncSectionName(c.mode);
  const section = c[name];
  const sync = checkDuration(`${name}.syncPeriod`, section.syncPeriod, 'positive', report);
  const min = checkDuration(`${name}.minSyncPeriod`, section.minSyncPeriod, 'nonNegative', report);
  if (min > sync) report(`${name}.syncPeriod`, section.syncPeriod, `must be greater than or equal to ${name}.minSyncPeriod (${section.minSyncPeriod})`);
  checkDuration('configSyncPeriod', c.configSyncPeriod, 'positive', report);
}

function checkRange(field: string, value: number, low: number, high: number, report: Report): void {
  if (value < low || value > high) report(field, value, `must be within the range [${low}, ${high}]`);
}

function checkCIDRs(field: string, values: readonly string[], report: Report): void {
  values.forEach((v, i) => {
    if (cidrFamily(v) === 0) report(`${field}[${i}]`, v, 'must be a valid CIDR (e.g. 10.0.0.0/8 or fd00::/64)');
  });
}

function checkModeSections(c: KubeProxyConfiguration, report: Report): void {
  checkRange('iptables.masqueradeBit', c.iptables.masqueradeBit, 0, 31, report);
  if (c.mode === 'nftables') checkRange('nftables.masqueradeBit', c.nftables.masqueradeBit, 0, 31, report);
  if (!IPVS_SCHEDULERS.includes(c.ipvs.scheduler)) {
    report('ipvs.scheduler', c.ipvs.scheduler, `allowed: ${list(IPVS_SCHEDULERS)} ("" means the mode's default)`);
  }
  if (c.mode === 'ipvs') {
    for (const key of ['tcpTimeout', 'tcpFinTimeout', 'udpTimeout'] as const) {
      checkDuration(`ipvs.${key}`, c.ipvs[key], 'nonNegative', report);
    }
    checkCIDRs('ipvs.excludeCIDRs', c.ipvs.excludeCIDRs, report);
  }
}

function checkConntrack(c: KubeProxyConfiguration, report: Report): void {
  if (c.conntrack.maxPerCore < 0) report('conntrack.maxPerCore', c.conntrack.maxPerCore, 'must be greater than or equal to 0');
  if (c.conntrack.min < 0) report('conntrack.min', c.conntrack.min, 'must be greater than or equal to 0');
  for (const key of ['tcpEstablishedTimeout', 'tcpCloseWaitTimeout', 'udpTimeout', 'udpStreamTimeout'] as const) {
    checkDuration(`conntrack.${key}`, c.conntrack[key], 'nonNegative', report);
  }
}

function checkAddresses(c: KubeProxyConfiguration, report: Report): void {
  if (isIP(c.bindAddress) === 0) report('bindAddress', c.bindAddress, 'must be an IP address');
  for (const key of ['healthzBindAddress', 'metricsBindAddress'] as const) {
    if (c[key] === '') continue; // empty disables the server
    const parsed = parseIPPort(c[key]);
    if ('error' in parsed) report(key, c[key], parsed.error);
  }
  if (!isPortRange(c.portRange)) report('portRange', c.portRange, 'must be a port range such as "300-2000", "300+100" or "300", or empty');
  c.nodePortAddresses.forEach((v, i) => {
    if (!NODEPORT_KEYWORDS.includes(v) && cidrFamily(v) === 0) {
      report(`nodePortAddresses[${i}]`, v, `must be a CIDR or one of ${list(NODEPORT_KEYWORDS)}`);
    }
  });
}

function checkClusterCIDR(value: string, report: Report): void {
  const cidrs = value.split(',');
  const families = cidrs.map((cidr) => cidrFamily(cidr.trim()));
  if (cidrs.length > 2 || families.includes(0)) {
    report('clusterCIDR', value, 'must be one CIDR or a dual-stack pair (e.g. 10.100.0.0/16,fde4:8dba:82e1::/48)');
  } else if (cidrs.length === 2 && families[0] === families[1]) {
    report('clusterCIDR', value, 'two CIDRs must be one IPv4 and one IPv6 (a dual-stack pair)');
  }
}

function checkDetectLocal(c: KubeProxyConfiguration, report: Report): void {
  if (!LOCAL_MODES.includes(c.detectLocalMode)) {
    report('detectLocalMode', c.detectLocalMode, `allowed: ${list(LOCAL_MODES)} ("" means ClusterCIDR)`);
  }
  if (c.detectLocalMode === 'BridgeInterface' && c.detectLocal.bridgeInterface === '') {
    report('detectLocal.bridgeInterface', '', 'must not be empty when detectLocalMode is BridgeInterface');
  }
  if (c.detectLocalMode === 'InterfaceNamePrefix' && c.detectLocal.interfaceNamePrefix === '') {
    report('detectLocal.interfaceNamePrefix', '', 'must not be empty when detectLocalMode is InterfaceNamePrefix');
  }
  // On Linux an empty detectLocalMode is ClusterCIDR, so the CIDRs are checked in both cases.
  if ((c.detectLocalMode === '' || c.detectLocalMode === 'ClusterCIDR') && c.clusterCIDR !== '') {
    checkClusterCIDR(c.clusterCIDR, report);
  }
}

function checkRouting(path: string, o: OutputRoutingOptions, alphaOn: boolean, report: Report): void {
  if (alphaOn) return;
  if (o.splitStream) report(`${path}.splitStream`, true, 'needs the LoggingAlphaOptions feature gate');
  if (!/^[+]?0*(\.0*)?$/.test(o.infoBufferSize)) report(`${path}.infoBufferSize`, o.infoBufferSize, 'needs the LoggingAlphaOptions feature gate');
}

function checkLogging(c: KubeProxyConfiguration, report: Report): void {
  const l = c.logging;
  if (!LOGGING_FORMATS.includes(l.format)) report('logging.format', l.format, `allowed: ${list(LOGGING_FORMATS)}`);
  if (l.format !== 'text' && (l.vmodule?.length ?? 0) > 0) report('logging.vmodule', l.vmodule, 'only supported with the text log format');
  checkDuration('logging.flushFrequency', l.flushFrequency, 'nonNegative', report);
  const alphaOn = featureEnabled(c.featureGates, 'LoggingAlphaOptions');
  checkRouting('logging.options.text', l.options.text, alphaOn, report);
  checkRouting('logging.options.json', l.options.json, alphaOn, report);
}

/** All validation problems of a defaulted configuration; empty when it is valid. */
export function validateConfiguration(c: KubeProxyConfiguration): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report: Report = (field, value, reason) => problems.push({ field, value, reason });
  for (const text of featureGateProblems(c.featureGates, 'featureGates')) {
    problems.push({ field: 'featureGates', value: c.featureGates, reason: text.replace(/^featureGates: /, '') });
  }
  checkMode(c, report);
  checkModeSections(c, report);
  checkSync(c, report);
  checkConntrack(c, report);
  checkRange('oomScoreAdj', c.oomScoreAdj, -1000, 1000, report);
  if (c.clientConnection.burst < 0) report('clientConnection.burst', c.clientConnection.burst, 'must be greater than or equal to 0');
  checkAddresses(c, report);
  if (c.showHiddenMetricsForVersion !== '' && !/^\d+\.\d+$/.test(c.showHiddenMetricsForVersion)) {
    report('showHiddenMetricsForVersion', c.showHiddenMetricsForVersion, 'must be <major>.<minor> of the previous minor version, e.g. "1.33"');
  }
  checkDetectLocal(c, report);
  checkLogging(c, report);
  return problems;
}
