// Diffing wanted virtual servers against the kernel's: only the difference, only kproxy's own servers,
// draining instead of deleting TCP real servers, immediate deletion for UDP, restoring a re-added one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffIpvs } from '../../src/dataplane/ipvs/ipvs-diff.js';
import { parseConnectionCounts, parseIpvsadmSave } from '../../src/dataplane/ipvs/ipvsadm-state.js';
import type { VirtualServer } from '../../src/dataplane/ipvs/program.js';

const vs = (address: string, reals: string[], more: Partial<VirtualServer> = {}): VirtualServer => ({
  protocol: 'TCP', address, port: 80, scheduler: 'rr', persistence: 0, schedulerFlags: [], service: 'default/web:http',
  realServers: reals.map((r) => ({ address: r, port: 8080, weight: 1 })), ...more,
});
const kernel = (text: string) => parseIpvsadmSave(text);
const ownsAll = { owns: () => true, draining: new Set<string>() };

test('parses ipvsadm -Sn, including IPv6, persistence and scheduler flags', () => {
  const t = kernel('-A -t 10.96.0.1:80 -s rr -p 600\n-a -t 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 1\n-A -u [fd96::a]:53 -s mh -b mh-port\n-A -f 7 -s rr\n');
  assert.deepEqual([...t.keys()], ['TCP/10.96.0.1:80', 'UDP/[fd96::a]:53']);
  assert.equal(t.get('TCP/10.96.0.1:80')?.persistence, 600);
  assert.deepEqual(t.get('UDP/[fd96::a]:53')?.schedulerFlags, ['mh-port']);
});

test('nothing changes when the kernel already holds the program', () => {
  const d = diffIpvs([vs('10.96.0.1', ['10.244.1.1'])], kernel('-A -t 10.96.0.1:80 -s rr\n-a -t 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 1\n'), ownsAll);
  assert.deepEqual(d.commands, []);
});

test('adds, edits the scheduler in place, and deletes only owned virtual servers', () => {
  const current = kernel('-A -t 10.96.0.1:80 -s rr\n-A -t 10.96.0.2:80 -s rr\n-A -t 192.0.2.99:80 -s wlc\n');
  const d = diffIpvs([vs('10.96.0.1', [], { scheduler: 'lc' }), vs('10.96.0.3', ['10.244.1.1'])], current, {
    owns: (v) => v.address.startsWith('10.96.'),
    draining: new Set(),
  });
  assert.deepEqual(d.commands, [
    '-A -t 10.96.0.3:80 -s rr',
    '-a -t 10.96.0.3:80 -r 10.244.1.1:8080 -m -w 1',
    '-E -t 10.96.0.1:80 -s lc',
    '-D -t 10.96.0.2:80',
  ]);
});

test('a removed TCP real server drains at weight 0; a UDP one is deleted at once', () => {
  const current = kernel('-A -t 10.96.0.1:80 -s rr\n-a -t 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 1\n-A -u 10.96.0.1:80 -s rr\n-a -u 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 1\n');
  const d = diffIpvs([vs('10.96.0.1', []), vs('10.96.0.1', [], { protocol: 'UDP' })], current, ownsAll);
  assert.deepEqual(d.commands, ['-e -t 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 0', '-d -u 10.96.0.1:80 -r 10.244.1.1:8080']);
  assert.deepEqual([...d.draining.keys()], ['TCP/10.96.0.1:80 10.244.1.1:8080']);
});

test('a draining real server is left alone, and restored to weight 1 when its endpoint comes back', () => {
  const current = kernel('-A -t 10.96.0.1:80 -s rr\n-a -t 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 0\n');
  const draining = new Set(['TCP/10.96.0.1:80 10.244.1.1:8080']);
  assert.deepEqual(diffIpvs([vs('10.96.0.1', [])], current, { owns: () => true, draining }).commands, []);
  const back = diffIpvs([vs('10.96.0.1', ['10.244.1.1'])], current, { owns: () => true, draining });
  assert.deepEqual(back.commands, ['-e -t 10.96.0.1:80 -r 10.244.1.1:8080 -m -w 1']);
  assert.deepEqual(back.restored, ['TCP/10.96.0.1:80 10.244.1.1:8080']);
});

test('connection counts come from ipvsadm -Ln (active + inactive per real server)', () => {
  const text = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  10.96.0.1:80 rr',
    '  -> 10.244.1.1:8080               Masq    0      1          2',
    'TCP  [fd96::a]:80 rr',
    '  -> [fd44::1]:8080                Masq    1      0          0',
  ].join('\n');
  const c = parseConnectionCounts(text);
  assert.equal(c.get('TCP/10.96.0.1:80 10.244.1.1:8080'), 3);
  assert.equal(c.get('TCP/[fd96::a]:80 [fd44::1]:8080'), 0);
});
