import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedIPFamilies } from '../../src/cli/runtime.js';

test('the ip_family values follow the families the mode programs', () => {
  assert.deepEqual(servedIPFamilies('iptables', ['10.0.0.1'], '10.244.0.0/16'), ['IPv4']);
  assert.deepEqual(servedIPFamilies('iptables', ['10.0.0.1', 'fd00::1'], ''), ['IPv4', 'IPv6']);
  assert.deepEqual(servedIPFamilies('ipvs', ['10.0.0.1'], '10.244.0.0/16,fd00:10::/64'), ['IPv4', 'IPv6']);
  assert.deepEqual(servedIPFamilies('nftables', ['10.0.0.1'], ''), ['IPv4', 'IPv6'], 'nftables writes both tables');
});
