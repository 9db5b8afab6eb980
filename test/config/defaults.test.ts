import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfiguration, effectiveSyncPeriods } from '../../src/config/load.js';

// Upstream's defaults for kubeproxy.config.k8s.io/v1alpha1 (defaults.go and component-base's
// recommended logging configuration), written out by hand so a changed default fails here.
const UPSTREAM_DEFAULTS = {
  featureGates: {},
  clientConnection: { kubeconfig: '', acceptContentTypes: '', contentType: 'application/vnd.kubernetes.protobuf', qps: 5, burst: 10 },
  logging: { format: 'text', flushFrequency: '5s', verbosity: 0, options: { text: { infoBufferSize: '0' }, json: { infoBufferSize: '0' } } },
  hostnameOverride: '',
  bindAddress: '0.0.0.0',
  healthzBindAddress: '0.0.0.0:10256',
  metricsBindAddress: '127.0.0.1:10249',
  bindAddressHardFail: false,
  enableProfiling: false,
  showHiddenMetricsForVersion: '',
  mode: '',
  iptables: { masqueradeBit: 14, masqueradeAll: false, localhostNodePorts: true, snatNodeInternalIP: false, syncPeriod: '30s', minSyncPeriod: '1s' },
  ipvs: {
    syncPeriod: '30s', minSyncPeriod: '0s', scheduler: '', excludeCIDRs: [], strictARP: false,
    tcpTimeout: '0s', tcpFinTimeout: '0s', udpTimeout: '0s',
  },
  nftables: { masqueradeBit: 14, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' },
  winkernel: { networkName: '', sourceVip: '', enableDSR: false, rootHnsEndpointName: '', forwardHealthCheckVip: false },
  detectLocalMode: '',
  detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
  clusterCIDR: '',
  nodePortAddresses: [],
  oomScoreAdj: -999,
  conntrack: {
    maxPerCore: 32768, min: 131072, tcpEstablishedTimeout: '24h0m0s', tcpCloseWaitTimeout: '1h0m0s',
    tcpBeLiberal: false, udpTimeout: '0s', udpStreamTimeout: '0s',
  },
  configSyncPeriod: '15m0s',
  portRange: '',
  windowsRunAsService: false,
};

test('with no flags the configuration equals upstream defaults', async () => {
  const l = await loadConfiguration([]);
  assert.deepEqual(l.config, UPSTREAM_DEFAULTS);
  assert.deepEqual(l.kproxy, { from: [], userspacePortals: undefined, serviceProxyName: '', iptablesBackend: 'auto' });
  assert.equal(l.configFile, undefined);
  assert.equal(l.cleanup, false);
  assert.deepEqual(l.warnings, []);
});

test('effectiveSyncPeriods reads the section of the mode', async () => {
  const { config } = await loadConfiguration(['--proxy-mode=ipvs', '--ipvs-sync-period=45s', '--ipvs-min-sync-period=0']);
  assert.deepEqual(effectiveSyncPeriods(config, 'ipvs'), { syncPeriodMs: 45_000, minSyncPeriodMs: 0 });
  assert.deepEqual(effectiveSyncPeriods(config, 'iptables'), { syncPeriodMs: 30_000, minSyncPeriodMs: 1000 });
  config.nftables.syncPeriod = '1m0s';
  assert.deepEqual(effectiveSyncPeriods(config, 'nftables'), { syncPeriodMs: 60_000, minSyncPeriodMs: 1000 });
  assert.deepEqual(effectiveSyncPeriods(config, 'userspace'), { syncPeriodMs: 30_000, minSyncPeriodMs: 1000 });
});
