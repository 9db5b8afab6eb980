// Upstream's v1alpha1 defaults (pkg/proxy/apis/config/v1alpha1/defaults.go plus the recommended
// logging configuration), applied to whatever a config file or the flags left unset.

import { isIP } from 'node:net';
import type { KubeProxyConfiguration } from './types.js';

export const DEFAULT_HEALTHZ_PORT = 10256;
export const DEFAULT_METRICS_PORT = 10249;
/** qos.KubeProxyOOMScoreAdj */
export const DEFAULT_OOM_SCORE_ADJ = -999;

/** A fully defaulted configuration, as `kube-proxy --write-config-to` writes with no other flags. */
export function defaultConfiguration(): KubeProxyConfiguration {
  return {
    featureGates: {},
    clientConnection: {
      kubeconfig: '',
      acceptContentTypes: '',
      contentType: 'application/vnd.kubernetes.protobuf',
      qps: 5,
      burst: 10,
    },
    logging: {
      format: 'text',
      flushFrequency: '5s',
      verbosity: 0,
      options: { text: { infoBufferSize: '0' }, json: { infoBufferSize: '0' } },
    },
    hostnameOverride: '',
    bindAddress: '0.0.0.0',
    healthzBindAddress: `0.0.0.0:${DEFAULT_HEALTHZ_PORT}`,
    metricsBindAddress: `127.0.0.1:${DEFAULT_METRICS_PORT}`,
    bindAddressHardFail: false,
    enableProfiling: false,
    showHiddenMetricsForVersion: '',
    mode: '',
    iptables: {
      masqueradeBit: 14,
      masqueradeAll: false,
      localhostNodePorts: true,
      snatNodeInternalIP: false,
      syncPeriod: '30s',
      minSyncPeriod: '1s',
    },
    ipvs: {
      syncPeriod: '30s',
      minSyncPeriod: '0s',
      scheduler: '',
      excludeCIDRs: [],
      strictARP: false,
      tcpTimeout: '0s',
      tcpFinTimeout: '0s',
      udpTimeout: '0s',
    },
    nftables: { masqueradeBit: 14, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' },
    winkernel: { networkName: '', sourceVip: '', enableDSR: false, rootHnsEndpointName: '', forwardHealthCheckVip: false },
    detectLocalMode: '',
    detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
    clusterCIDR: '',
    nodePortAddresses: [],
    oomScoreAdj: DEFAULT_OOM_SCORE_ADJ,
    conntrack: {
      maxPerCore: 32 * 1024,
      min: 128 * 1024,
      tcpEstablishedTimeout: '24h0m0s',
      tcpCloseWaitTimeout: '1h0m0s',
      tcpBeLiberal: false,
      udpTimeout: '0s',
      udpStreamTimeout: '0s',
    },
    configSyncPeriod: '15m0s',
    portRange: '',
    windowsRunAsService: false,
  };
}

/**
 * "IP" -> "IP:port" ("[IP]:port" for IPv6); anything else (already IP:port, empty, garbage) is returned
 * unchanged so validation can name it.
 */
export function appendPortIfNeeded(address: string, port: number): string {
  if (isIP(address) === 4) return `${address}:${port}`;
  if (isIP(address) === 6) return `[${address}]:${port}`;
  return address;
}

/**
 * Defaults that depend on other fields, applied after a file is decoded: the healthz and metrics
 * addresses follow bindAddress's family when unset, and gain the default port when given as a bare IP.
 * `unset` says which of the two were absent from the file.
 */
export function defaultBindAddresses(c: KubeProxyConfiguration, unset: { healthz: boolean; metrics: boolean }): void {
  const ipv6 = isIP(c.bindAddress) === 6;
  c.healthzBindAddress = unset.healthz
    ? `${ipv6 ? '[::]' : '0.0.0.0'}:${DEFAULT_HEALTHZ_PORT}`
    : appendPortIfNeeded(c.healthzBindAddress, DEFAULT_HEALTHZ_PORT);
  c.metricsBindAddress = unset.metrics
    ? `${ipv6 ? '[::1]' : '127.0.0.1'}:${DEFAULT_METRICS_PORT}`
    : appendPortIfNeeded(c.metricsBindAddress, DEFAULT_METRICS_PORT);
}
