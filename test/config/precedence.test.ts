import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'kpt-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'kube-proxy.yaml');
writeFileSync(file, `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: from-file
clientConnection:
  kubeconfig: /from/file
logging:
  verbosity: 2
  vmodule:
  - filePattern: file
    verbosity: 1
`);

test('with --config, configuration flags are ignored (with a warning) and the file wins', async () => {
  const l = await loadConfiguration(['--config', file, '--proxy-mode=ipvs', '--iptables-masquerade-bit=3', '--feature-gates=AllAlpha=true', '--healthz-port=0']);
  assert.equal(l.config.mode, 'iptables');
  assert.equal(l.config.iptables.masqueradeBit, 14);
  assert.deepEqual(l.config.featureGates, {});
  assert.equal(l.config.healthzBindAddress, '0.0.0.0:10256', '--healthz-port only applies without --config');
  assert.match(l.warnings.join('\n'), /ignored because --config is given .*--proxy-mode, --iptables-masquerade-bit, --feature-gates, --healthz-port/);
});

test('with --config, --kubeconfig does not override the file, but is still reported as given', async () => {
  const l = await loadConfiguration(['--config', file, '--kubeconfig', '/from/flag']);
  assert.equal(l.config.clientConnection.kubeconfig, '/from/file');
  assert.equal(l.kubeconfig, '/from/flag');
});

test('logging flags win over the file; vmodule puts the flag entries first', async () => {
  const withFlags = await loadConfiguration(['--config', file, '-v=5', '--vmodule=flag=3']);
  assert.equal(withFlags.config.logging.verbosity, 5);
  assert.deepEqual(withFlags.config.logging.vmodule, [{ filePattern: 'flag', verbosity: 3 }, { filePattern: 'file', verbosity: 1 }]);
  const withoutFlags = await loadConfiguration(['--config', file]);
  assert.equal(withoutFlags.config.logging.verbosity, 2);
  assert.deepEqual(withoutFlags.config.logging.vmodule, [{ filePattern: 'file', verbosity: 1 }]);
});

test('--hostname-override wins over the file, trimmed and lower-cased', async () => {
  assert.equal((await loadConfiguration(['--config', file])).config.hostnameOverride, 'from-file');
  assert.equal((await loadConfiguration(['--config', file, '--hostname-override=Node-B'])).config.hostnameOverride, 'node-b');
});

test('flags outside the configuration apply together with --config', async () => {
  const l = await loadConfiguration(['--config', file, '--master=https://127.0.0.1:6443', '--cleanup', '--from=m.yaml', '--userspace-portals=none']);
  assert.equal(l.master, 'https://127.0.0.1:6443');
  assert.equal(l.cleanup, true);
  assert.deepEqual(l.kproxy.from, ['m.yaml']);
  assert.equal(l.kproxy.userspacePortals, 'none');
  assert.equal(l.configFile, file);
});

test('--help and --version skip loading and validating the configuration', async () => {
  const l = await loadConfiguration(['--help', '--config', join(dir, 'does-not-exist.yaml')]);
  assert.equal(l.help, true);
  assert.equal((await loadConfiguration(['--version', '--proxy-mode=bogus'])).version, true);
  await assert.rejects(loadConfiguration(['--help', '--no-such-flag']), /unknown flag --no-such-flag/);
});
