import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conntrackSettings } from '../../src/netfilter/conntrack-sysctls.js';
import { defaultConfiguration } from '../../src/config/defaults.js';

test('upstream defaults: max from max-per-core × CPUs (at least min) and the two TCP timeouts', () => {
  const c = defaultConfiguration().conntrack;
  assert.deepEqual(conntrackSettings(c, 2), [
    ['/proc/sys/net/netfilter/nf_conntrack_max', String(128 * 1024)],
    ['/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established', '86400'],
    ['/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_close_wait', '3600'],
  ]);
  assert.equal(conntrackSettings(c, 8)[0]![1], String(32 * 1024 * 8));
});

test('zero leaves a value alone; be-liberal and UDP timeouts when set', () => {
  const c = { ...defaultConfiguration().conntrack, maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' };
  assert.deepEqual(conntrackSettings(c, 2), []);
  const set = { ...c, tcpBeLiberal: true, udpTimeout: '30s', udpStreamTimeout: '2m0s' };
  assert.deepEqual(conntrackSettings(set, 2), [
    ['/proc/sys/net/netfilter/nf_conntrack_udp_timeout', '30'],
    ['/proc/sys/net/netfilter/nf_conntrack_udp_timeout_stream', '120'],
    ['/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal', '1'],
  ]);
});
