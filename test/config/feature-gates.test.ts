import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureEnabled } from '../../src/config/feature-gates.js';
import { loadConfiguration, parseFeatureGates } from '../../src/config/load.js';

test('parseFeatureGates reads NAME=bool pairs with Go boolean spellings', () => {
  assert.deepEqual(parseFeatureGates('AllAlpha=true, NFTablesNetlink=false,LoggingAlphaOptions=1'), {
    AllAlpha: true, NFTablesNetlink: false, LoggingAlphaOptions: true,
  });
  assert.deepEqual(parseFeatureGates(''), {});
});

test('an unknown gate is an error that lists the known gates', () => {
  assert.throws(() => parseFeatureGates('NoSuchGate=true'), (err: Error & { code: string }) => {
    assert.equal(err.code, 'KPROXY_CONFIG');
    assert.match(err.message, /unrecognized feature gate "NoSuchGate"/);
    assert.match(err.message, /known gates: .*AllAlpha.*KubeProxyNFTablesLocalhostNodePorts/);
    return true;
  });
});

test('malformed entries are errors naming the entry', () => {
  assert.throws(() => parseFeatureGates('AllAlpha'), /"AllAlpha" must be NAME=true or NAME=false/);
  assert.throws(() => parseFeatureGates('AllAlpha=maybe'), /"AllAlpha=maybe"/);
});

test('unknown gates from --feature-gates are rejected when the configuration is loaded', async () => {
  await assert.rejects(loadConfiguration(['--feature-gates=Bogus=true']), /featureGates .*unrecognized feature gate "Bogus"/);
});

test('featureEnabled applies defaults and AllAlpha/AllBeta', () => {
  assert.equal(featureEnabled({}, 'NFTablesNetlink'), true);
  assert.equal(featureEnabled({}, 'LoggingAlphaOptions'), false);
  assert.equal(featureEnabled({ AllAlpha: true }, 'LoggingAlphaOptions'), true);
  assert.equal(featureEnabled({ AllAlpha: true, LoggingAlphaOptions: false }, 'LoggingAlphaOptions'), false);
  assert.equal(featureEnabled({ NFTablesNetlink: false }, 'NFTablesNetlink'), false);
});
