// kube-proxy's KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) as it appears in a config file,
// with upstream's JSON field names. Durations stay Go duration strings ("30s", "1h0m0s"): that is what
// the file holds and what --write-config-to writes back; parseDuration() turns them into milliseconds.
//
// v1alpha1 has no top-level syncPeriod/minSyncPeriod (only upstream's internal type and the unreleased
// v1alpha2 have them); the effective pair comes from the section of the selected mode, see
// effectiveSyncPeriods().

import { TABLE_SCHEDULER_NAMES } from '../schedulers/scheduler-table.js';

export const API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const KIND = 'KubeProxyConfiguration';

/** '' lets the program choose. kernelspace (Windows) is not accepted: kproxy runs on Linux. */
export type ProxyMode = '' | 'userspace' | 'iptables' | 'nftables' | 'ipvs';
export const PROXY_MODES: readonly ProxyMode[] = ['', 'userspace', 'iptables', 'nftables', 'ipvs'];

/** '' behaves as ClusterCIDR on Linux. */
export type LocalMode = '' | 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';
export const LOCAL_MODES: readonly LocalMode[] = ['', 'ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'];

/** --ipvs-scheduler's values: every name of the scheduler table; '' means the mode's default. */
export const IPVS_SCHEDULERS: readonly string[] = ['', ...TABLE_SCHEDULER_NAMES];

/** Keywords nodePortAddresses accepts besides CIDRs. */
export const NODEPORT_KEYWORDS: readonly string[] = ['primary', 'localhost', 'all'];

export const LOGGING_FORMATS: readonly string[] = ['text', 'json'];

export interface ClientConnectionConfiguration {
  kubeconfig: string;
  acceptContentTypes: string;
  contentType: string;
  qps: number;
  burst: number;
}

export interface VModuleItem {
  filePattern: string;
  verbosity: number;
}

export interface OutputRoutingOptions {
  /** Errors to stderr, info to stdout (alpha, needs the LoggingAlphaOptions gate). */
  splitStream?: boolean;
  /** A Kubernetes quantity ("0", "512", "1Ki") of info output to buffer when splitStream is on. */
  infoBufferSize: string;
}

export interface LoggingConfiguration {
  /** "text" or "json". */
  format: string;
  /** Go duration between log flushes. */
  flushFrequency: string;
  verbosity: number;
  vmodule?: VModuleItem[];
  options: { text: OutputRoutingOptions; json: OutputRoutingOptions };
}

export interface KubeProxyIPTablesConfiguration {
  masqueradeBit: number;
  masqueradeAll: boolean;
  localhostNodePorts: boolean;
  snatNodeInternalIP: boolean;
  syncPeriod: string;
  minSyncPeriod: string;
}

export interface KubeProxyIPVSConfiguration {
  syncPeriod: string;
  minSyncPeriod: string;
  scheduler: string;
  excludeCIDRs: string[];
  strictARP: boolean;
  tcpTimeout: string;
  tcpFinTimeout: string;
  udpTimeout: string;
}

export interface KubeProxyNFTablesConfiguration {
  masqueradeBit: number;
  masqueradeAll: boolean;
  syncPeriod: string;
  minSyncPeriod: string;
}

export interface KubeProxyWinkernelConfiguration {
  networkName: string;
  sourceVip: string;
  enableDSR: boolean;
  rootHnsEndpointName: string;
  forwardHealthCheckVip: boolean;
}

export interface DetectLocalConfiguration {
  bridgeInterface: string;
  interfaceNamePrefix: string;
}

export interface KubeProxyConntrackConfiguration {
  maxPerCore: number;
  min: number;
  tcpEstablishedTimeout: string;
  tcpCloseWaitTimeout: string;
  tcpBeLiberal: boolean;
  udpTimeout: string;
  udpStreamTimeout: string;
}

export interface KubeProxyConfiguration {
  featureGates: Record<string, boolean>;
  clientConnection: ClientConnectionConfiguration;
  logging: LoggingConfiguration;
  hostnameOverride: string;
  bindAddress: string;
  /** IP:port, '' disables the server. */
  healthzBindAddress: string;
  /** IP:port, '' disables the server. */
  metricsBindAddress: string;
  bindAddressHardFail: boolean;
  enableProfiling: boolean;
  showHiddenMetricsForVersion: string;
  mode: ProxyMode;
  iptables: KubeProxyIPTablesConfiguration;
  ipvs: KubeProxyIPVSConfiguration;
  nftables: KubeProxyNFTablesConfiguration;
  winkernel: KubeProxyWinkernelConfiguration;
  detectLocalMode: LocalMode;
  detectLocal: DetectLocalConfiguration;
  /** One CIDR or a comma-separated dual-stack pair. */
  clusterCIDR: string;
  /** CIDRs and/or the keywords primary, localhost, all; empty = every local IP. */
  nodePortAddresses: string[];
  oomScoreAdj: number;
  conntrack: KubeProxyConntrackConfiguration;
  configSyncPeriod: string;
  /** Unused by upstream since the userspace proxy was removed; kept for file compatibility. */
  portRange: string;
  windowsRunAsService: boolean;
}

/** kproxy's own options that upstream does not have. */
export interface KproxyOptions {
  /** --from PATH (repeatable): manifests file or directory. */
  from: string[];
  /** --userspace-portals; undefined = decide at run time (iptables when root). */
  userspacePortals: 'iptables' | 'none' | undefined;
  /** --service-proxy-name: claim Services labelled service.kubernetes.io/service-proxy-name=NAME ('' = only unlabelled). */
  serviceProxyName: string;
  /** --iptables-backend (for the iptables mode). */
  iptablesBackend: 'auto' | 'nft' | 'legacy';
}
