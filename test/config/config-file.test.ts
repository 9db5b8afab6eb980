import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'kpt-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const HEADER = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';

function write(text: string, ext = 'yaml'): string {
  const path = join(dir, `f${fileCount++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const load = (text: string, ext?: string) => loadConfiguration(['--config', write(text, ext)]);

test('a YAML file is read and missing fields get upstream defaults', async () => {
  const l = await load(`${HEADER}mode: ipvs\nipvs:\n  scheduler: wrr\n  syncPeriod: 5m\nconntrack:\n  maxPerCore: 0\nclusterCIDR: 10.0.0.0/8\n`);
  assert.equal(l.config.mode, 'ipvs');
  assert.equal(l.config.ipvs.scheduler, 'wrr');
  assert.equal(l.config.ipvs.syncPeriod, '5m0s', 'durations are re-spelled as Go prints them');
  assert.equal(l.config.ipvs.minSyncPeriod, '0s');
  assert.equal(l.config.conntrack.maxPerCore, 0, 'an explicit 0 in a pointer field is kept');
  assert.equal(l.config.conntrack.min, 131072);
  assert.equal(l.config.iptables.masqueradeBit, 14);
  assert.equal(l.config.healthzBindAddress, '0.0.0.0:10256');
  assert.equal(l.config.clientConnection.contentType, 'application/vnd.kubernetes.protobuf');
  assert.equal(l.config.logging.flushFrequency, '5s');
  assert.equal(l.configFile?.endsWith('.yaml'), true);
});

test('a JSON file is read the same way', async () => {
  const l = await load(JSON.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration',
    mode: 'nftables', nftables: { masqueradeAll: true }, featureGates: { NFTablesNetlink: false },
    logging: { verbosity: 3, flushFrequency: 2_000_000_000, vmodule: [{ filePattern: 'x', verbosity: 4 }] },
  }), 'json');
  assert.equal(l.config.mode, 'nftables');
  assert.equal(l.config.nftables.masqueradeAll, true);
  assert.equal(l.config.nftables.syncPeriod, '30s');
  assert.deepEqual(l.config.featureGates, { NFTablesNetlink: false });
  assert.equal(l.config.logging.verbosity, 3);
  assert.equal(l.config.logging.flushFrequency, '2s', 'a number is nanoseconds, as component-base reads it');
  assert.deepEqual(l.config.logging.vmodule, [{ filePattern: 'x', verbosity: 4 }]);
});

test('null and zero values are defaulted where upstream defaults them', async () => {
  const l = await load(`${HEADER}iptables:\n  masqueradeBit: null\n  minSyncPeriod: 0s\n  syncPeriod: 0s\nclientConnection:\n  qps: 0\noomScoreAdj: 0\nhealthzBindAddress: ""\n`);
  assert.equal(l.config.iptables.masqueradeBit, 14);
  assert.equal(l.config.iptables.minSyncPeriod, '1s');
  assert.equal(l.config.iptables.syncPeriod, '30s');
  assert.equal(l.config.clientConnection.qps, 5);
  assert.equal(l.config.oomScoreAdj, 0);
  assert.equal(l.config.healthzBindAddress, '0.0.0.0:10256');
});

test('bind address defaults follow the family of bindAddress; a bare IP gets the default port', async () => {
  const v6 = await load(`${HEADER}bindAddress: "fd00::1"\n`);
  assert.equal(v6.config.healthzBindAddress, '[::]:10256');
  assert.equal(v6.config.metricsBindAddress, '[::1]:10249');
  const bare = await load(`${HEADER}healthzBindAddress: 10.0.0.1\nmetricsBindAddress: "::"\n`);
  assert.equal(bare.config.healthzBindAddress, '10.0.0.1:10256');
  assert.equal(bare.config.metricsBindAddress, '[::]:10249');
});

test('unknown fields are rejected, each named by its path', async () => {
  await assert.rejects(load(`${HEADER}udpIdleTimeout: 250ms\niptables:\n  masqueradeBits: 14\n`), (err: Error & { problems: string[] }) => {
    assert.equal(err.problems.length, 2);
    assert.match(err.message, /unknown field "udpIdleTimeout"/);
    assert.match(err.message, /unknown field "iptables\.masqueradeBits"/);
    return true;
  });
  await assert.rejects(load(`${HEADER}Mode: ipvs\n`), /unknown field "Mode"/);
});

test('a wrong kind or apiVersion is rejected with what was expected', async () => {
  await assert.rejects(load('apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n'),
    /kind: got "KubeletConfiguration", expected "KubeProxyConfiguration"/);
  await assert.rejects(load('apiVersion: kubeproxy.config.k8s.io/v1alpha2\nkind: KubeProxyConfiguration\n'),
    /apiVersion: got "kubeproxy\.config\.k8s\.io\/v1alpha2", expected "kubeproxy\.config\.k8s\.io\/v1alpha1"/);
  await assert.rejects(load('mode: ipvs\n'), /kind: got nothing, expected "KubeProxyConfiguration"/);
});

test('values of the wrong type are rejected naming the field, the value and the type', async () => {
  await assert.rejects(load(`${HEADER}iptables:\n  masqueradeBit: "14"\n  syncPeriod: 30\nmode: 5\nnodePortAddresses: 10.0.0.0/8\n`), (err: Error & { problems: string[] }) => {
    assert.equal(err.problems.length, 4);
    assert.match(err.message, /iptables\.masqueradeBit: got "14": must be a 32-bit integer/);
    assert.match(err.message, /iptables\.syncPeriod: got 30: must be a duration string/);
    assert.match(err.message, /mode: got 5: must be a string/);
    assert.match(err.message, /nodePortAddresses: got "10\.0\.0\.0\/8": must be a list of strings/);
    return true;
  });
  await assert.rejects(load(`${HEADER}conntrack:\n  tcpCloseWaitTimeout: 1 hour\n`), /conntrack\.tcpCloseWaitTimeout: got "1 hour": invalid duration/);
  await assert.rejects(load(`${HEADER}iptables: true\n`), /iptables: got true, must be an object/);
});

test('broken, empty, multi-document and missing files are rejected', async () => {
  await assert.rejects(load(`${HEADER}mode: [unclosed\n`), /cannot parse/);
  await assert.rejects(load(`${HEADER}mode: ipvs\nmode: iptables\n`), /cannot parse.*[Mm]ap keys must be unique/s);
  await assert.rejects(load(''), /the file is empty/);
  await assert.rejects(load(`${HEADER}---\n${HEADER}`), /holds 2 documents/);
  await assert.rejects(loadConfiguration(['--config', join(dir, 'missing.yaml')]), /--config: cannot read ".*missing\.yaml"/);
});

test('a file is validated like flags, naming the file and the field', async () => {
  await assert.rejects(load(`${HEADER}mode: kernelspace\n`), /f\d+\.yaml: mode: invalid value "kernelspace": kernelspace is the Windows proxy mode/);
  await assert.rejects(load(`${HEADER}featureGates:\n  Bogus: true\n`), /featureGates: .*unrecognized feature gate "Bogus"/);
});
