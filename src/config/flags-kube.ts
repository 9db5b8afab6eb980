// kube-proxy's own flags (cmd/kube-proxy/app/options.go), with upstream names, defaults and meaning.
// Flags marked ignoredWithConfig feed the configuration only when no --config file is given.

import { parseGoBool, splitFeatureGates } from './feature-gates.js';
import {
  addToList, boolValue, durationValue, FlagValueError, floatValue, int32Value, ipPortValue, ipValue, listValue,
  type FlagDef, type FlagState,
} from './flag-model.js';
import type { KubeProxyConfiguration, LocalMode, ProxyMode } from './types.js';
import { ipvsSchedulerHelp } from '../schedulers/scheduler-docs.js';

/** A flag that writes one config field and is ignored when --config is given. */
function configFlag(def: Omit<FlagDef, 'apply' | 'ignoredWithConfig'>, set: (c: KubeProxyConfiguration, raw: string) => void): FlagDef {
  return { ...def, ignoredWithConfig: true, apply: (s: FlagState, raw: string) => set(s.config, raw) };
}

const bool = (set: (c: KubeProxyConfiguration, v: boolean) => void) => (c: KubeProxyConfiguration, raw: string) => set(c, boolValue(raw));
const int32 = (set: (c: KubeProxyConfiguration, v: number) => void) => (c: KubeProxyConfiguration, raw: string) => set(c, int32Value(raw));
const dur = (set: (c: KubeProxyConfiguration, v: string) => void) => (c: KubeProxyConfiguration, raw: string) => set(c, durationValue(raw));

const SYNC_PERIOD_HELP = "How often rules are fully re-synchronized and leftovers cleaned up (e.g. '5s', '1m', '2h22m'). Must be greater than 0.";

export const PROGRAM_FLAGS: readonly FlagDef[] = [
  { name: 'config', type: 'string', help: 'The path to the configuration file (KubeProxyConfiguration, YAML or JSON).',
    apply: (s, raw) => { s.configFile = raw; } },
  { name: 'write-config-to', type: 'string', help: 'If set, write the configuration values (defaults plus flags) to this file and exit.',
    apply: (s, raw) => { s.writeConfigTo = raw; } },
  { name: 'cleanup', type: 'bool', help: 'If true cleanup iptables, nftables and ipvs rules and exit.',
    apply: (s, raw) => { s.cleanup = boolValue(raw); } },
  { name: 'init-only', type: 'bool',
    help: 'If true, perform any initialization steps that must be done with full root privileges, and then exit. After doing this, you can run the proxy again with only the CAP_NET_ADMIN capability.',
    apply: (s, raw) => { s.initOnly = boolValue(raw); } },
  { name: 'master', type: 'string', help: 'The address of the Kubernetes API server (overrides any value in kubeconfig).',
    apply: (s, raw) => { s.master = raw; } },
  { name: 'hostname-override', type: 'string', fields: ['hostnameOverride'],
    help: "If non-empty, will be used as the name of the Node the proxy is running on. If unset, the node name is assumed to be the same as the node's hostname. Takes precedence over the config file.",
    apply: (s, raw) => { s.hostnameOverride = raw; } },
  { name: 'help', shorthand: 'h', type: 'bool', help: 'help for kproxy', apply: (s, raw) => { s.help = boolValue(raw); } },
  { name: 'version', type: 'version', valueName: 'version[=true]', help: 'Print version information and quit (--version or --version=raw).',
    apply: (s, raw) => {
      if (raw !== 'raw' && parseGoBool(raw) === undefined) throw new FlagValueError('must be true, false or raw');
      s.version = raw === 'raw' || parseGoBool(raw) === true;
    } },
];

export const CLIENT_FLAGS: readonly FlagDef[] = [
  { name: 'kubeconfig', type: 'string', ignoredWithConfig: true, fields: ['clientConnection.kubeconfig'],
    help: 'Path to kubeconfig file with authorization information (the master location can be overridden by the master flag).',
    apply: (s, raw) => { s.kubeconfig = raw; s.config.clientConnection.kubeconfig = raw; } },
  configFlag({ name: 'kube-api-content-type', type: 'string', defaultText: '"application/vnd.kubernetes.protobuf"',
    fields: ['clientConnection.contentType'], help: 'Content type of requests sent to apiserver.' },
  (c, raw) => { c.clientConnection.contentType = raw; }),
  configFlag({ name: 'kube-api-burst', type: 'int32', defaultText: '10', fields: ['clientConnection.burst'],
    help: 'Burst to use while talking with kubernetes apiserver' }, int32((c, v) => { c.clientConnection.burst = v; })),
  configFlag({ name: 'kube-api-qps', type: 'float', defaultText: '5', fields: ['clientConnection.qps'],
    help: 'QPS to use while talking with kubernetes apiserver' }, (c, raw) => { c.clientConnection.qps = floatValue(raw); }),
  configFlag({ name: 'config-sync-period', type: 'duration', defaultText: '15m0s', fields: ['configSyncPeriod'],
    help: 'How often configuration from the apiserver is refreshed.  Must be greater than 0.' }, dur((c, v) => { c.configSyncPeriod = v; })),
  { name: 'feature-gates', type: 'map', valueName: "<comma-separated 'key=True|False' pairs>", ignoredWithConfig: true,
    fields: ['featureGates'], help: 'A set of key=value pairs that describe feature gates for alpha/experimental features.',
    apply: (s, raw) => {
      const { gates, problems } = splitFeatureGates(raw);
      if (problems.length > 0) throw new FlagValueError(problems.join('; '));
      Object.assign(s.config.featureGates, gates);
    } },
];

export const SERVER_FLAGS: readonly FlagDef[] = [
  configFlag({ name: 'bind-address', type: 'ip', valueName: 'string', defaultText: '0.0.0.0', fields: ['bindAddress'],
    help: "Overrides the proxy's idea of what its node's primary IP is. Note that the name is a historical artifact, and the proxy does not actually bind any sockets to this IP." },
  (c, raw) => { c.bindAddress = ipValue(raw); }),
  configFlag({ name: 'healthz-bind-address', type: 'ipport', defaultText: '0.0.0.0:10256', fields: ['healthzBindAddress'],
    help: 'The IP address and port for the health check server to serve on. Set empty to disable.' },
  (c, raw) => { c.healthzBindAddress = ipPortValue(raw); }),
  configFlag({ name: 'metrics-bind-address', type: 'ipport', defaultText: '127.0.0.1:10249', fields: ['metricsBindAddress'],
    help: 'The IP address and port for the metrics server to serve on. (Set to "0.0.0.0:10249" / "[::]:10249" to bind on all interfaces.) Set empty to disable.' },
  (c, raw) => { c.metricsBindAddress = ipPortValue(raw); }),
  configFlag({ name: 'bind-address-hard-fail', type: 'bool', fields: ['bindAddressHardFail'],
    help: 'If true the proxy will treat failure to bind to a port as fatal and exit' }, bool((c, v) => { c.bindAddressHardFail = v; })),
  configFlag({ name: 'profiling', type: 'bool', fields: ['enableProfiling'],
    help: 'If true enables profiling via web interface on /debug/pprof handler.' }, bool((c, v) => { c.enableProfiling = v; })),
  configFlag({ name: 'show-hidden-metrics-for-version', type: 'string', fields: ['showHiddenMetricsForVersion'],
    help: "The previous version for which you want to show hidden metrics. Only the previous minor version is meaningful. The format is <major>.<minor>, e.g.: '1.16'." },
  (c, raw) => { c.showHiddenMetricsForVersion = raw; }),
  { name: 'healthz-port', type: 'int32', defaultText: '10256', ignoredWithConfig: true, fields: ['healthzBindAddress'],
    deprecated: 'use --healthz-bind-address instead', help: 'The port to bind the health check server. Use 0 to disable.',
    apply: (s, raw) => { s.deferred.healthzPort = int32Value(raw); } },
  { name: 'metrics-port', type: 'int32', defaultText: '10249', ignoredWithConfig: true, fields: ['metricsBindAddress'],
    deprecated: 'use --metrics-bind-address instead', help: 'The port to bind the metrics server. Use 0 to disable.',
    apply: (s, raw) => { s.deferred.metricsPort = int32Value(raw); } },
  configFlag({ name: 'oom-score-adj', type: 'int32', defaultText: '-999', fields: ['oomScoreAdj'],
    help: 'The oom-score-adj value for the proxy process. Values must be within the range [-1000, 1000].' },
  int32((c, v) => { c.oomScoreAdj = v; })),
];

export const MODE_FLAGS: readonly FlagDef[] = [
  configFlag({ name: 'proxy-mode', type: 'string', valueName: 'ProxyMode', fields: ['mode'],
    help: "Which proxy mode to use: 'userspace' (kproxy's in-process L4 proxy), 'iptables', 'nftables' or 'ipvs'. Empty lets kproxy choose." },
  (c, raw) => { c.mode = raw as ProxyMode; }),
  configFlag({ name: 'iptables-masquerade-bit', type: 'int32', defaultText: '14', fields: ['iptables.masqueradeBit'],
    help: 'If using the iptables or ipvs proxy mode, the bit of the fwmark space to mark packets requiring SNAT with.  Must be within the range [0, 31].' },
  int32((c, v) => { c.iptables.masqueradeBit = v; })),
  { name: 'masquerade-all', type: 'bool', ignoredWithConfig: true, fields: ['iptables.masqueradeAll', 'nftables.masqueradeAll'],
    help: 'SNAT all traffic sent via Service cluster IPs. This may be required with some CNI plugins.',
    apply: (s, raw) => { s.deferred.masqueradeAll = boolValue(raw); } },
  configFlag({ name: 'iptables-localhost-nodeports', type: 'bool', defaultText: 'true', fields: ['iptables.localhostNodePorts'],
    help: 'If false, disable the legacy behavior of allowing NodePort services to be accessed via localhost. (Applies only to iptables mode and IPv4.)' },
  bool((c, v) => { c.iptables.localhostNodePorts = v; })),
  { name: 'iptables-sync-period', type: 'duration', defaultText: '30s', ignoredWithConfig: true,
    fields: ['iptables.syncPeriod', 'nftables.syncPeriod'], help: `${SYNC_PERIOD_HELP} Applies to every mode but ipvs.`,
    apply: (s, raw) => { s.deferred.iptablesSyncPeriod = durationValue(raw); } },
  { name: 'iptables-min-sync-period', type: 'duration', defaultText: '1s', ignoredWithConfig: true,
    fields: ['iptables.minSyncPeriod', 'nftables.minSyncPeriod'],
    help: "The minimum period between rule resyncs (e.g. '5s', '1m', '2h22m'). A value of 0 means every Service or EndpointSlice change will result in an immediate resync. Applies to every mode but ipvs.",
    apply: (s, raw) => { s.deferred.iptablesMinSyncPeriod = durationValue(raw); } },
  { name: 'ipvs-sync-period', type: 'duration', defaultText: '30s', ignoredWithConfig: true, fields: ['ipvs.syncPeriod'],
    help: `${SYNC_PERIOD_HELP} Applies to the ipvs mode.`, apply: (s, raw) => { s.deferred.ipvsSyncPeriod = durationValue(raw); } },
  { name: 'ipvs-min-sync-period', type: 'duration', defaultText: '1s', ignoredWithConfig: true, fields: ['ipvs.minSyncPeriod'],
    help: "The minimum period between IPVS rule resyncs (e.g. '5s', '1m', '2h22m'). A value of 0 means every Service or EndpointSlice change will result in an immediate IPVS resync.",
    apply: (s, raw) => { s.deferred.ipvsMinSyncPeriod = durationValue(raw); } },
  configFlag({ name: 'ipvs-scheduler', type: 'string', fields: ['ipvs.scheduler'],
    help: ipvsSchedulerHelp() },
  (c, raw) => { c.ipvs.scheduler = raw; }),
  { name: 'ipvs-exclude-cidrs', type: 'strings', ignoredWithConfig: true, fields: ['ipvs.excludeCIDRs'],
    help: 'A comma-separated list of CIDRs which the ipvs proxier should not touch when cleaning up IPVS rules.',
    apply: (s, raw) => { s.config.ipvs.excludeCIDRs = addToList(s, 'ipvs-exclude-cidrs', s.config.ipvs.excludeCIDRs, listValue(raw)); } },
  configFlag({ name: 'ipvs-strict-arp', type: 'bool', fields: ['ipvs.strictARP'],
    help: 'Enable strict ARP by setting arp_ignore to 1 and arp_announce to 2' }, bool((c, v) => { c.ipvs.strictARP = v; })),
  configFlag({ name: 'ipvs-tcp-timeout', type: 'duration', fields: ['ipvs.tcpTimeout'],
    help: "The timeout for idle IPVS TCP connections, 0 to leave as-is. (e.g. '5s', '1m', '2h22m')." }, dur((c, v) => { c.ipvs.tcpTimeout = v; })),
  configFlag({ name: 'ipvs-tcpfin-timeout', type: 'duration', fields: ['ipvs.tcpFinTimeout'],
    help: "The timeout for IPVS TCP connections after receiving a FIN packet, 0 to leave as-is. (e.g. '5s', '1m', '2h22m')." },
  dur((c, v) => { c.ipvs.tcpFinTimeout = v; })),
  configFlag({ name: 'ipvs-udp-timeout', type: 'duration', fields: ['ipvs.udpTimeout'],
    help: "The timeout for IPVS UDP packets, 0 to leave as-is. (e.g. '5s', '1m', '2h22m')." }, dur((c, v) => { c.ipvs.udpTimeout = v; })),
];

export const TRAFFIC_FLAGS: readonly FlagDef[] = [
  configFlag({ name: 'detect-local-mode', type: 'string', valueName: 'LocalMode', fields: ['detectLocalMode'],
    help: 'Mode to use to detect local traffic: ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix (empty means ClusterCIDR).' },
  (c, raw) => { c.detectLocalMode = raw as LocalMode; }),
  configFlag({ name: 'pod-bridge-interface', type: 'string', fields: ['detectLocal.bridgeInterface'],
    help: 'A bridge interface name. When --detect-local-mode is set to BridgeInterface, traffic is local if it originates from this bridge.' },
  (c, raw) => { c.detectLocal.bridgeInterface = raw; }),
  configFlag({ name: 'pod-interface-name-prefix', type: 'string', fields: ['detectLocal.interfaceNamePrefix'],
    help: 'An interface name prefix. When --detect-local-mode is set to InterfaceNamePrefix, traffic is local if it originates from any interface whose name begins with this prefix.' },
  (c, raw) => { c.detectLocal.interfaceNamePrefix = raw; }),
  configFlag({ name: 'cluster-cidr', type: 'string', fields: ['clusterCIDR'],
    help: 'The CIDR range of the pods in the cluster. (For dual-stack clusters, a comma-separated dual-stack pair of CIDR ranges.) When --detect-local-mode is ClusterCIDR, traffic is local if its source IP is in this range.' },
  (c, raw) => { c.clusterCIDR = raw; }),
  { name: 'nodeport-addresses', type: 'strings', ignoredWithConfig: true, fields: ['nodePortAddresses'],
    help: "A list of CIDR ranges that contain valid node IPs and/or the keywords 'primary' (the Node's primary IPs), 'localhost' and 'all'. NodePort connections are only accepted on node IPs in the list. If unset, NodePort connections are accepted on all local IPs.",
    apply: (s, raw) => { s.config.nodePortAddresses = addToList(s, 'nodeport-addresses', s.config.nodePortAddresses, listValue(raw)); } },
];

export const CONNTRACK_FLAGS: readonly FlagDef[] = [
  configFlag({ name: 'conntrack-max-per-core', type: 'int32', defaultText: '32768', fields: ['conntrack.maxPerCore'],
    help: 'Maximum number of NAT connections to track per CPU core (0 to leave the limit as-is and ignore conntrack-min).' },
  int32((c, v) => { c.conntrack.maxPerCore = v; })),
  configFlag({ name: 'conntrack-min', type: 'int32', defaultText: '131072', fields: ['conntrack.min'],
    help: 'Minimum number of conntrack entries to allocate, regardless of conntrack-max-per-core (set conntrack-max-per-core=0 to leave the limit as-is).' },
  int32((c, v) => { c.conntrack.min = v; })),
  configFlag({ name: 'conntrack-tcp-timeout-established', type: 'duration', defaultText: '24h0m0s', fields: ['conntrack.tcpEstablishedTimeout'],
    help: 'Idle timeout for established TCP connections (0 to leave as-is)' }, dur((c, v) => { c.conntrack.tcpEstablishedTimeout = v; })),
  configFlag({ name: 'conntrack-tcp-timeout-close-wait', type: 'duration', defaultText: '1h0m0s', fields: ['conntrack.tcpCloseWaitTimeout'],
    help: 'NAT timeout for TCP connections in the CLOSE_WAIT state' }, dur((c, v) => { c.conntrack.tcpCloseWaitTimeout = v; })),
  configFlag({ name: 'conntrack-tcp-be-liberal', type: 'bool', fields: ['conntrack.tcpBeLiberal'],
    help: 'Enable liberal mode for tracking TCP packets by setting nf_conntrack_tcp_be_liberal to 1' }, bool((c, v) => { c.conntrack.tcpBeLiberal = v; })),
  configFlag({ name: 'conntrack-udp-timeout', type: 'duration', fields: ['conntrack.udpTimeout'],
    help: 'Idle timeout for UNREPLIED UDP connections (0 to leave as-is)' }, dur((c, v) => { c.conntrack.udpTimeout = v; })),
  configFlag({ name: 'conntrack-udp-timeout-stream', type: 'duration', fields: ['conntrack.udpStreamTimeout'],
    help: 'Idle timeout for ASSURED UDP connections (0 to leave as-is)' }, dur((c, v) => { c.conntrack.udpStreamTimeout = v; })),
];
