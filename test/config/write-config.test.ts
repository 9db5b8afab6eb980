import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { helpText, loadConfiguration, serializeConfiguration } from '../../src/config/load.js';
import { ALL_FLAGS } from '../../src/config/argv.js';

const dir = mkdtempSync(join(tmpdir(), 'kpt-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--write-config-to round trip: the written file loads back to the same configuration', async () => {
  const flags = [
    '--proxy-mode=nftables', '--iptables-sync-period=45s', '--iptables-min-sync-period=2s', '--masquerade-all',
    '--nodeport-addresses=primary,10.0.0.0/8', '--cluster-cidr=10.0.0.0/8,fd00::/48', '--feature-gates=AllBeta=true',
    '--conntrack-udp-timeout=30s', '--ipvs-exclude-cidrs=192.168.0.0/16', '--vmodule=a=2', '-v=3', '--hostname-override=n1',
    '--bind-address=10.1.1.1', '--kube-api-qps=20', '--oom-score-adj=-100',
  ];
  const fromFlags = await loadConfiguration([...flags, '--write-config-to', join(dir, 'out.yaml')]);
  const path = join(dir, 'written.yaml');
  writeFileSync(path, serializeConfiguration(fromFlags.config));
  const fromFile = await loadConfiguration(['--config', path]);
  assert.deepEqual(fromFile.config, fromFlags.config);
});

test('the written YAML has apiVersion, kind and upstream field names, empty lists as null', () => {
  return loadConfiguration([]).then(({ config }) => {
    const text = serializeConfiguration(config);
    assert.match(text, /^apiVersion: kubeproxy\.config\.k8s\.io\/v1alpha1\n/);
    assert.match(text, /\nkind: KubeProxyConfiguration\n/);
    const doc = parse(text);
    assert.equal(doc.ipvs.excludeCIDRs, null);
    assert.equal(doc.nodePortAddresses, null);
    assert.equal(doc.featureGates, undefined, 'featureGates is omitempty');
    assert.equal(doc.windowsRunAsService, undefined, 'windowsRunAsService is omitempty');
    assert.equal(doc.conntrack.tcpEstablishedTimeout, '24h0m0s');
    assert.deepEqual(doc.logging.options, { json: { infoBufferSize: '0' }, text: { infoBufferSize: '0' } });
    assert.deepEqual(Object.keys(doc), [...Object.keys(doc)].sort(), 'keys are sorted as upstream writes them');
  });
});

test('--write-config-to writes the flags unaffected by the deprecated port flags', async () => {
  const l = await loadConfiguration(['--write-config-to', join(dir, 'x.yaml'), '--healthz-port=0']);
  assert.equal(l.writeConfigTo, join(dir, 'x.yaml'));
  assert.equal(l.config.healthzBindAddress, '0.0.0.0:10256');
});

test('help lists the subcommands and every flag with its default, marking kproxy additions', () => {
  const text = helpText();
  for (const sub of ['render', 'cleanup']) assert.match(text, new RegExp(`kproxy ${sub} `));
  for (const flag of ALL_FLAGS) {
    assert.ok(text.includes(`--${flag.name}`), `--${flag.name} in help`);
    if (flag.defaultText) assert.ok(text.includes(`--${flag.name} ${flag.valueName ?? ''}`.trim()) && text.includes(`(default ${flag.defaultText})`), flag.name);
  }
  assert.match(text, /--from PATH\n\s+\[kproxy addition\]/);
  assert.match(text, /--iptables-backend auto\|nft\|legacy  \(default "auto"\)\n\s+\[kproxy addition\]/);
  assert.match(text, /--resource-container \(removed in v1\.16\)/);
  assert.match(text, /NFTablesNetlink=true\|false \(BETA - default=true\)/);
});
