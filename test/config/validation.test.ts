import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'kpt-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function configFile(body: string): string {
  const path = join(dir, `c${fileCount++}.yaml`);
  writeFileSync(path, `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n${body}`);
  return path;
}

async function rejectsWith(argv: string[], ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(loadConfiguration(argv), (err: Error & { code: string }) => {
    assert.equal(err.code, 'KPROXY_CONFIG');
    for (const p of patterns) assert.match(err.message, p);
    return true;
  }, argv.join(' '));
}

test('mode: unknown values and the Windows kernelspace mode are rejected listing the allowed modes', async () => {
  await rejectsWith(['--proxy-mode=bogus'], /mode \(--proxy-mode\): invalid value "bogus": unknown proxy mode; allowed: "", "userspace", "iptables", "nftables", "ipvs"/);
  await rejectsWith(['--proxy-mode=kernelspace'], /invalid value "kernelspace": kernelspace is the Windows proxy mode and kproxy runs on Linux; allowed: .*"userspace"/);
  await rejectsWith(['--proxy-mode=ipvs', '--feature-gates=KubeProxyIPVS=false'], /mode .*KubeProxyIPVS/);
});

test('masquerade bits must be within [0, 31]', async () => {
  await rejectsWith(['--iptables-masquerade-bit=32'], /iptables\.masqueradeBit \(--iptables-masquerade-bit\): invalid value 32: must be within the range \[0, 31\]/);
  await rejectsWith(['--iptables-masquerade-bit=-1'], /iptables\.masqueradeBit .*-1/);
  await rejectsWith(['--config', configFile('mode: nftables\nnftables:\n  masqueradeBit: 40\n')], /: nftables\.masqueradeBit: invalid value 40/);
});

test('ipvs: scheduler, timeouts and excluded CIDRs', async () => {
  await rejectsWith(['--ipvs-scheduler=fastest'], /ipvs\.scheduler \(--ipvs-scheduler\): invalid value "fastest": allowed: "", "rr", .*"random"/);
  await rejectsWith(['--proxy-mode=ipvs', '--ipvs-tcp-timeout=-1s'], /ipvs\.tcpTimeout .*"-1s": must be greater than or equal to 0/);
  await rejectsWith(['--proxy-mode=ipvs', '--ipvs-tcpfin-timeout=-1s'], /ipvs\.tcpFinTimeout/);
  await rejectsWith(['--proxy-mode=ipvs', '--ipvs-udp-timeout=-1s'], /ipvs\.udpTimeout/);
  await rejectsWith(['--proxy-mode=ipvs', '--ipvs-exclude-cidrs=10.0.0.0/8,10.0.0.0/33'], /ipvs\.excludeCIDRs\[1\] \(--ipvs-exclude-cidrs\): invalid value "10\.0\.0\.0\/33": must be a valid CIDR/);
  for (const s of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh', 'fo', 'ovf', 'random', '']) {
    assert.equal((await loadConfiguration([`--ipvs-scheduler=${s}`])).config.ipvs.scheduler, s);
  }
});

test('sync periods: > 0, min >= 0, min <= sync, for the section of the mode', async () => {
  await rejectsWith(['--iptables-sync-period=0'], /iptables\.syncPeriod \(--iptables-sync-period\): invalid value "0s": must be greater than 0/);
  await rejectsWith(['--iptables-min-sync-period=-1s'], /iptables\.minSyncPeriod .*must be greater than or equal to 0/);
  await rejectsWith(['--iptables-sync-period=1s', '--iptables-min-sync-period=2s'], /iptables\.syncPeriod .*must be greater than or equal to iptables\.minSyncPeriod \(2s\)/);
  await rejectsWith(['--proxy-mode=ipvs', '--ipvs-sync-period=1s', '--ipvs-min-sync-period=5s'], /ipvs\.syncPeriod \(--ipvs-sync-period\)/);
  await rejectsWith(['--config-sync-period=0s'], /configSyncPeriod \(--config-sync-period\): invalid value "0s": must be greater than 0/);
});

test('conntrack values must not be negative', async () => {
  await rejectsWith(['--conntrack-max-per-core=-1'], /conntrack\.maxPerCore .*-1: must be greater than or equal to 0/);
  await rejectsWith(['--conntrack-min=-1'], /conntrack\.min /);
  await rejectsWith(['--conntrack-tcp-timeout-established=-1s'], /conntrack\.tcpEstablishedTimeout/);
  await rejectsWith(['--conntrack-tcp-timeout-close-wait=-1s'], /conntrack\.tcpCloseWaitTimeout/);
  await rejectsWith(['--conntrack-udp-timeout=-1s'], /conntrack\.udpTimeout /);
  await rejectsWith(['--conntrack-udp-timeout-stream=-1s'], /conntrack\.udpStreamTimeout/);
});

test('oomScoreAdj within [-1000, 1000], burst >= 0', async () => {
  await rejectsWith(['--oom-score-adj=1001'], /oomScoreAdj \(--oom-score-adj\): invalid value 1001: must be within the range \[-1000, 1000\]/);
  await rejectsWith(['--kube-api-burst=-1'], /clientConnection\.burst .*-1/);
  assert.equal((await loadConfiguration(['--oom-score-adj=-1000'])).config.oomScoreAdj, -1000);
});

test('addresses: bindAddress is an IP, bind addresses are IP:port, portRange is a range', async () => {
  await rejectsWith(['--config', configFile('bindAddress: node1\n')], /: bindAddress: invalid value "node1": must be an IP address/);
  await rejectsWith(['--config', configFile('healthzBindAddress: 1.2.3.4:0\n')], /healthzBindAddress: invalid value "1\.2\.3\.4:0": port "0" must be within 1\.\.65535/);
  await rejectsWith(['--config', configFile('metricsBindAddress: "localhost:80"\n')], /metricsBindAddress: invalid value "localhost:80": "localhost" must be a valid IP/);
  await rejectsWith(['--config', configFile('portRange: 2000-1000\n')], /portRange: invalid value "2000-1000": must be a port range/);
  const ok = await loadConfiguration(['--config', configFile('portRange: 30000+100\nmetricsBindAddress: "[::]:9000"\n')]);
  assert.equal(ok.config.metricsBindAddress, '[::]:9000');
});

test('nodePortAddresses: CIDRs and the keywords primary, localhost, all', async () => {
  await rejectsWith(['--nodeport-addresses=10.0.0.0/8,eth0'], /nodePortAddresses\[1\] \(--nodeport-addresses\): invalid value "eth0": must be a CIDR or one of "primary", "localhost", "all"/);
  const ok = await loadConfiguration(['--nodeport-addresses=primary,localhost,all,fd00::/64']);
  assert.deepEqual(ok.config.nodePortAddresses, ['primary', 'localhost', 'all', 'fd00::/64']);
});

test('detect-local: mode values, the interface it needs, cluster CIDRs per family', async () => {
  await rejectsWith(['--detect-local-mode=PodCIDR'], /detectLocalMode \(--detect-local-mode\): invalid value "PodCIDR": allowed: "", "ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix"/);
  await rejectsWith(['--detect-local-mode=BridgeInterface'], /detectLocal\.bridgeInterface: invalid value "": must not be empty when detectLocalMode is BridgeInterface/);
  await rejectsWith(['--detect-local-mode=InterfaceNamePrefix'], /detectLocal\.interfaceNamePrefix/);
  await rejectsWith(['--cluster-cidr=10.0.0.0'], /clusterCIDR \(--cluster-cidr\): invalid value "10\.0\.0\.0": must be one CIDR or a dual-stack pair/);
  await rejectsWith(['--cluster-cidr=10.0.0.0/8,fd00::/48,10.1.0.0/16'], /clusterCIDR .*dual-stack pair/);
  await rejectsWith(['--cluster-cidr=fd00::/48,fd01::/48'], /one IPv4 and one IPv6/);
  const ok = await loadConfiguration(['--cluster-cidr=fd00::/48,10.0.0.0/8', '--detect-local-mode=ClusterCIDR']);
  assert.equal(ok.config.clusterCIDR, 'fd00::/48,10.0.0.0/8');
});

test('showHiddenMetricsForVersion is <major>.<minor>', async () => {
  await rejectsWith(['--show-hidden-metrics-for-version=v1.30'], /showHiddenMetricsForVersion .*"v1\.30": must be <major>\.<minor>/);
});

test('logging: format text|json, vmodule only for text, alpha options need their gate', async () => {
  await rejectsWith(['--logging-format=xml'], /logging\.format \(--logging-format\): invalid value "xml": allowed: "text", "json"/);
  await rejectsWith(['--logging-format=json', '--vmodule=a=1'], /logging\.vmodule .*only supported with the text log format/);
  await rejectsWith(['--log-text-split-stream'], /logging\.options\.text\.splitStream .*LoggingAlphaOptions/);
  await rejectsWith(['--log-json-info-buffer-size=1Mi'], /logging\.options\.json\.infoBufferSize .*LoggingAlphaOptions/);
});

test('an all-whitespace --hostname-override is rejected', async () => {
  await rejectsWith(['--hostname-override=   '], /--hostname-override: invalid value "   "/);
});

test('every validation problem is reported at once', async () => {
  await assert.rejects(
    loadConfiguration(['--proxy-mode=bogus', '--iptables-masquerade-bit=99', '--oom-score-adj=5000', '--cluster-cidr=x']),
    (err: Error & { problems: string[] }) => {
      assert.equal(err.problems.length, 4);
      assert.match(err.message, /4 configuration problems/);
      return true;
    },
  );
});
