import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_FLAGS } from '../../src/config/argv.js';
import { loadConfiguration, type LoadedConfiguration } from '../../src/config/load.js';

type Row = [argv: string[], read: (l: LoadedConfiguration) => unknown, expected: unknown];

// One row per flag: the flag's value must land in the named field.
const ROWS: Record<string, Row> = {
  config: [['--config='], (l) => l.configFile, ''],
  'write-config-to': [['--write-config-to', 'out.yaml'], (l) => l.writeConfigTo, 'out.yaml'],
  cleanup: [['--cleanup'], (l) => l.cleanup, true],
  'init-only': [['--init-only=true'], (l) => l.initOnly, true],
  master: [['--master', 'https://127.0.0.1:6443'], (l) => l.master, 'https://127.0.0.1:6443'],
  'hostname-override': [['--hostname-override', ' Node-A '], (l) => l.config.hostnameOverride, 'node-a'],
  help: [['-h'], (l) => l.help, true],
  version: [['--version=raw'], (l) => l.version, true],
  kubeconfig: [['--kubeconfig=/k'], (l) => [l.kubeconfig, l.config.clientConnection.kubeconfig], ['/k', '/k']],
  'kube-api-content-type': [['--kube-api-content-type=application/json'], (l) => l.config.clientConnection.contentType, 'application/json'],
  'kube-api-burst': [['--kube-api-burst', '20'], (l) => l.config.clientConnection.burst, 20],
  'kube-api-qps': [['--kube-api-qps=7.5'], (l) => l.config.clientConnection.qps, 7.5],
  'config-sync-period': [['--config-sync-period=1h'], (l) => l.config.configSyncPeriod, '1h0m0s'],
  'feature-gates': [['--feature-gates=AllAlpha=true', '--feature-gates', 'NFTablesNetlink=false'],
    (l) => l.config.featureGates, { AllAlpha: true, NFTablesNetlink: false }],
  'bind-address': [['--bind-address=10.1.2.3'], (l) => l.config.bindAddress, '10.1.2.3'],
  'healthz-bind-address': [['--healthz-bind-address=127.0.0.1'], (l) => l.config.healthzBindAddress, '127.0.0.1:10256'],
  'metrics-bind-address': [['--metrics-bind-address=[::1]:9999'], (l) => l.config.metricsBindAddress, '[::1]:9999'],
  'bind-address-hard-fail': [['--bind-address-hard-fail'], (l) => l.config.bindAddressHardFail, true],
  profiling: [['--profiling'], (l) => l.config.enableProfiling, true],
  'show-hidden-metrics-for-version': [['--show-hidden-metrics-for-version=1.33'], (l) => l.config.showHiddenMetricsForVersion, '1.33'],
  'healthz-port': [['--healthz-port=0'], (l) => l.config.healthzBindAddress, ''],
  'metrics-port': [['--metrics-port=9000', '--metrics-bind-address=0.0.0.0'], (l) => l.config.metricsBindAddress, '0.0.0.0:9000'],
  'oom-score-adj': [['--oom-score-adj', '-500'], (l) => l.config.oomScoreAdj, -500],
  'proxy-mode': [['--proxy-mode=userspace'], (l) => l.config.mode, 'userspace'],
  'iptables-masquerade-bit': [['--iptables-masquerade-bit=20'], (l) => l.config.iptables.masqueradeBit, 20],
  'masquerade-all': [['--masquerade-all'], (l) => l.config.iptables.masqueradeAll, true],
  'iptables-localhost-nodeports': [['--iptables-localhost-nodeports=false'], (l) => l.config.iptables.localhostNodePorts, false],
  'iptables-sync-period': [['--iptables-sync-period=1m'], (l) => l.config.iptables.syncPeriod, '1m0s'],
  'iptables-min-sync-period': [['--iptables-min-sync-period=0'], (l) => l.config.iptables.minSyncPeriod, '0s'],
  'ipvs-sync-period': [['--proxy-mode=ipvs', '--ipvs-sync-period=45s'], (l) => l.config.ipvs.syncPeriod, '45s'],
  'ipvs-min-sync-period': [['--proxy-mode=ipvs', '--ipvs-min-sync-period=2s'], (l) => l.config.ipvs.minSyncPeriod, '2s'],
  'ipvs-scheduler': [['--ipvs-scheduler=mh'], (l) => l.config.ipvs.scheduler, 'mh'],
  'ipvs-exclude-cidrs': [['--ipvs-exclude-cidrs=10.0.0.0/8,fd00::/64', '--ipvs-exclude-cidrs=192.168.0.0/16'],
    (l) => l.config.ipvs.excludeCIDRs, ['10.0.0.0/8', 'fd00::/64', '192.168.0.0/16']],
  'ipvs-strict-arp': [['--ipvs-strict-arp'], (l) => l.config.ipvs.strictARP, true],
  'ipvs-tcp-timeout': [['--ipvs-tcp-timeout=900s'], (l) => l.config.ipvs.tcpTimeout, '15m0s'],
  'ipvs-tcpfin-timeout': [['--ipvs-tcpfin-timeout=30s'], (l) => l.config.ipvs.tcpFinTimeout, '30s'],
  'ipvs-udp-timeout': [['--ipvs-udp-timeout=300ms'], (l) => l.config.ipvs.udpTimeout, '300ms'],
  'detect-local-mode': [['--detect-local-mode=NodeCIDR'], (l) => l.config.detectLocalMode, 'NodeCIDR'],
  'pod-bridge-interface': [['--pod-bridge-interface=cbr0'], (l) => l.config.detectLocal.bridgeInterface, 'cbr0'],
  'pod-interface-name-prefix': [['--pod-interface-name-prefix=veth'], (l) => l.config.detectLocal.interfaceNamePrefix, 'veth'],
  'cluster-cidr': [['--cluster-cidr=10.0.0.0/8,fd00::/48'], (l) => l.config.clusterCIDR, '10.0.0.0/8,fd00::/48'],
  'nodeport-addresses': [['--nodeport-addresses=primary'], (l) => l.config.nodePortAddresses, ['primary']],
  'conntrack-max-per-core': [['--conntrack-max-per-core=0'], (l) => l.config.conntrack.maxPerCore, 0],
  'conntrack-min': [['--conntrack-min=1000'], (l) => l.config.conntrack.min, 1000],
  'conntrack-tcp-timeout-established': [['--conntrack-tcp-timeout-established=2h'], (l) => l.config.conntrack.tcpEstablishedTimeout, '2h0m0s'],
  'conntrack-tcp-timeout-close-wait': [['--conntrack-tcp-timeout-close-wait=90s'], (l) => l.config.conntrack.tcpCloseWaitTimeout, '1m30s'],
  'conntrack-tcp-be-liberal': [['--conntrack-tcp-be-liberal'], (l) => l.config.conntrack.tcpBeLiberal, true],
  'conntrack-udp-timeout': [['--conntrack-udp-timeout=30s'], (l) => l.config.conntrack.udpTimeout, '30s'],
  'conntrack-udp-timeout-stream': [['--conntrack-udp-timeout-stream=2m'], (l) => l.config.conntrack.udpStreamTimeout, '2m0s'],
  'logging-format': [['--logging-format=json'], (l) => l.config.logging.format, 'json'],
  v: [['-v', '4'], (l) => l.config.logging.verbosity, 4],
  vmodule: [['--vmodule=proxier*=5,health=2'], (l) => l.config.logging.vmodule,
    [{ filePattern: 'proxier*', verbosity: 5 }, { filePattern: 'health', verbosity: 2 }]],
  'log-flush-frequency': [['--log-flush-frequency=10s'], (l) => l.config.logging.flushFrequency, '10s'],
  'log-text-split-stream': [['--feature-gates=LoggingAlphaOptions=true', '--log-text-split-stream'], (l) => l.config.logging.options.text.splitStream, true],
  'log-text-info-buffer-size': [['--feature-gates=LoggingAlphaOptions=true', '--log-text-info-buffer-size=1Ki'], (l) => l.config.logging.options.text.infoBufferSize, '1Ki'],
  'log-json-split-stream': [['--feature-gates=LoggingAlphaOptions=true', '--log-json-split-stream'], (l) => l.config.logging.options.json.splitStream, true],
  'log-json-info-buffer-size': [['--feature-gates=LoggingAlphaOptions=true', '--log-json-info-buffer-size=2M'], (l) => l.config.logging.options.json.infoBufferSize, '2M'],
  from: [['--from', 'a.yaml', '--from=dir'], (l) => l.kproxy.from, ['a.yaml', 'dir']],
  'userspace-portals': [['--userspace-portals=none'], (l) => l.kproxy.userspacePortals, 'none'],
  'service-proxy-name': [['--service-proxy-name=mine'], (l) => l.kproxy.serviceProxyName, 'mine'],
  'iptables-backend': [['--iptables-backend=legacy'], (l) => l.kproxy.iptablesBackend, 'legacy'],
};

test('every flag kproxy defines has a row in this table', () => {
  assert.deepEqual(ALL_FLAGS.map((f) => f.name).sort(), Object.keys(ROWS).sort());
});

for (const [name, [argv, read, expected]] of Object.entries(ROWS)) {
  test(`--${name} sets its field`, async () => {
    assert.deepEqual(read(await loadConfiguration(argv)), expected);
  });
}

test('value syntax: --flag=value, --flag value, -v=N, -vN, bool forms, "--" and positionals', async () => {
  assert.equal((await loadConfiguration(['-v=3'])).config.logging.verbosity, 3);
  assert.equal((await loadConfiguration(['-v7'])).config.logging.verbosity, 7);
  assert.equal((await loadConfiguration(['--profiling=false'])).config.enableProfiling, false);
  assert.equal((await loadConfiguration(['--profiling=T'])).config.enableProfiling, true);
  const l = await loadConfiguration(['render', '--proxy-mode', 'iptables', 'extra', '--', '--not-a-flag']);
  assert.deepEqual(l.positionals, ['render', 'extra', '--not-a-flag']);
  assert.equal(l.config.mode, 'iptables');
  // A bool does not consume the next argument.
  assert.deepEqual((await loadConfiguration(['--cleanup', 'render'])).positionals, ['render']);
});

test('underscores in flag names mean dashes, as upstream normalizes them', async () => {
  assert.equal((await loadConfiguration(['--proxy_mode=ipvs'])).config.mode, 'ipvs');
});

test('the first use of a list flag replaces the default, later uses append', async () => {
  const l = await loadConfiguration(['--nodeport-addresses=10.0.0.0/8', '--nodeport-addresses=localhost,all']);
  assert.deepEqual(l.config.nodePortAddresses, ['10.0.0.0/8', 'localhost', 'all']);
});

test('sync-period flags follow the mode: --iptables-* feed nftables, --ipvs-* feed ipvs only', async () => {
  const nft = await loadConfiguration(['--iptables-sync-period=10s', '--proxy-mode=nftables', '--masquerade-all']);
  assert.equal(nft.config.nftables.syncPeriod, '10s');
  assert.equal(nft.config.nftables.masqueradeAll, true);
  assert.equal(nft.config.iptables.masqueradeAll, false);
  const ipvs = await loadConfiguration(['--proxy-mode=ipvs', '--iptables-sync-period=10s']);
  assert.equal(ipvs.config.ipvs.syncPeriod, '30s');
  assert.equal(ipvs.config.ipvs.minSyncPeriod, '1s', 'flags-only ipvs is seeded from the iptables pair, as upstream');
  assert.match(ipvs.warnings.join('\n'), /no effect in ipvs mode/);
});

test('flag values of the wrong type are rejected naming the flag and the value', async () => {
  const cases: Array<[string, RegExp]> = [
    ['--oom-score-adj=abc', /--oom-score-adj: invalid value "abc": must be an integer/],
    ['--kube-api-burst=99999999999', /--kube-api-burst: .*32 bits/],
    ['--masquerade-all=yes', /--masquerade-all: invalid value "yes": must be true or false/],
    ['--iptables-sync-period=30', /--iptables-sync-period: invalid value "30": .*missing unit/],
    ['--bind-address=not-an-ip', /--bind-address: invalid value "not-an-ip": must be an IP/],
    ['--healthz-bind-address=host:80', /--healthz-bind-address: invalid value "host:80"/],
    ['--userspace-portals=maybe', /--userspace-portals: invalid value "maybe": must be one of "iptables", "none"/],
    ['--iptables-backend=xtables', /--iptables-backend: .*"auto", "nft", "legacy"/],
    ['--vmodule=foo', /--vmodule: .*pattern=N/],
    ['--version=v1.2.3', /--version: .*true, false or raw/],
    ['--feature-gates=AllAlpha', /--feature-gates: .*NAME=true or NAME=false/],
  ];
  for (const [arg, pattern] of cases) {
    await assert.rejects(loadConfiguration([arg]), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'KPROXY_CONFIG');
      assert.match(err.message, pattern);
      return true;
    }, arg);
  }
});

test('a flag without its value is an error', async () => {
  await assert.rejects(loadConfiguration(['--proxy-mode']), /--proxy-mode needs a value/);
});

test('unknown flags are rejected with a suggestion', async () => {
  await assert.rejects(loadConfiguration(['--proxy-mod=ipvs']), /unknown flag --proxy-mod; did you mean --proxy-mode\?/);
  await assert.rejects(loadConfiguration(['--no-such-thing']), /unknown flag --no-such-thing/);
  await assert.rejects(loadConfiguration(['-x']), /unknown shorthand flag -x/);
});

test('removed upstream flags are rejected saying when, why and what to use instead', async () => {
  const cases: Array<[string, RegExp]> = [
    ['--resource-container=/kube-proxy', /--resource-container was removed from kube-proxy in v1\.16/],
    ['--udp-timeout=250ms', /--udp-timeout was removed .*v1\.26.*userspace/],
    ['--proxy-port-range=30000-31000', /--proxy-port-range was removed .*v1\.26/],
    ['--cleanup-iptables', /--cleanup-iptables was removed .*instead: --cleanup/],
    ['--cleanup-ipvs', /--cleanup-ipvs was removed .*v1\.21/],
    ['--conntrack-max=100', /--conntrack-max was removed .*--conntrack-max-per-core/],
    ['--logtostderr', /--logtostderr was removed .*KEP-2845/],
    ['--log_dir=/x', /--log-dir was removed/],
    ['--windows-service', /Windows-only/],
  ];
  for (const [arg, pattern] of cases) await assert.rejects(loadConfiguration([arg]), pattern, arg);
});

test('--masquerade-all and the deprecated --healthz-port are still accepted', async () => {
  const l = await loadConfiguration(['--masquerade-all', '--healthz-port=12345', '--healthz-bind-address=127.0.0.1']);
  assert.equal(l.config.iptables.masqueradeAll, true);
  assert.equal(l.config.healthzBindAddress, '127.0.0.1:12345');
  assert.match(l.warnings.join('\n'), /--healthz-port is deprecated/);
  // As upstream: the port only fills in an address that has none.
  assert.equal((await loadConfiguration(['--healthz-port=12345'])).config.healthzBindAddress, '0.0.0.0:10256');
});

test('all flag problems are reported together', async () => {
  await assert.rejects(loadConfiguration(['--foo', '--udp-timeout=1s', '--oom-score-adj=x', '--proxy-mode=bogus']), (err: Error & { problems: string[] }) => {
    assert.equal(err.problems.length, 4);
    return true;
  });
});
