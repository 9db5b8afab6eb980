// Sysctls as upstream sets them, conn_reuse_mode by kernel version (issue 81775), and the TAP parser the
// UML test uses to report inner results.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connReuseModeAction, sysctlsFor } from '../../src/dataplane/ipvs/kernel-setup.js';
import { parseTap } from './tap-results.js';

test('conn_reuse_mode: too old before 4.1, set to 0 until 5.9, left alone from 5.9', () => {
  assert.equal(connReuseModeAction('3.10.0-1160.el7.x86_64'), 'too-old');
  assert.equal(connReuseModeAction('4.19.0-21-amd64'), 'set-0');
  assert.equal(connReuseModeAction('5.9.0'), 'leave');
  assert.equal(connReuseModeAction('6.1.176'), 'leave');
});

test('sysctls: conntrack, expire_nodest_conn, expire_quiescent_template; strict ARP only when asked', () => {
  const base = { tcpTimeout: 0, tcpFinTimeout: 0, udpTimeout: 0, kernelRelease: '5.4.0' };
  const keys = sysctlsFor({ ...base, strictARP: false }).map(([k, v]) => `${k}=${v}`);
  assert.deepEqual(keys, ['net.ipv4.vs.conntrack=1', 'net.ipv4.vs.expire_nodest_conn=1', 'net.ipv4.vs.expire_quiescent_template=1', 'net.ipv4.ip_forward=1', 'net.ipv4.vs.conn_reuse_mode=0']);
  const strict = sysctlsFor({ ...base, strictARP: true, kernelRelease: '6.1.0' }).map(([k, v]) => `${k}=${v}`);
  assert.ok(strict.includes('net.ipv4.conf.all.arp_ignore=1') && strict.includes('net.ipv4.conf.all.arp_announce=2'));
  assert.ok(!strict.some((s) => s.startsWith('net.ipv4.vs.conn_reuse_mode')));
});

test('parseTap reports leaf tests with their suite, skips and failure details', () => {
  const tap = [
    'TAP version 13',
    '# Subtest: /x/flows.uml.js',
    '    # Subtest: flows through ipvs mode',
    '        # Subtest: a',
    '        ok 1 - a',
    '        # Subtest: b',
    '        not ok 2 - b',
    '          ---',
    "          error: 'boom'",
    '          ...',
    '        # Subtest: c',
    '        ok 3 - c # SKIP needs root',
    '    ok 1 - flows through ipvs mode',
    'ok 1 - /x/flows.uml.js',
  ].join('\n');
  assert.deepEqual(parseTap(tap).map((r) => [r.name, r.ok, r.skip ?? '']), [
    ['flows through ipvs mode > a', true, ''],
    ['flows through ipvs mode > b', false, ''],
    ['flows through ipvs mode > c', true, 'needs root'],
  ]);
  assert.match(parseTap(tap)[1]?.details ?? '', /boom/);
});
