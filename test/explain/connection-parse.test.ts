// --to/--source/--via parsing: what is accepted, and that every bad value is refused with a message that
// names the value and what is wrong with it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError, parseDestination, parseIP } from '../../src/explain/connection-parse.js';
import { takeCommandFlags } from '../../src/explain/command-flags.js';

test('a destination is IP:PORT with an optional protocol, TCP by default, IPv6 in brackets', () => {
  assert.deepEqual(parseDestination('10.96.0.10:53/udp'), { ip: '10.96.0.10', port: 53, protocol: 'UDP' });
  assert.deepEqual(parseDestination('10.96.0.10:80'), { ip: '10.96.0.10', port: 80, protocol: 'TCP' });
  assert.deepEqual(parseDestination('[fd00:0::10]:443/SCTP'), { ip: 'fd00::10', port: 443, protocol: 'SCTP' });
});

test('bad destinations are refused with the reason', () => {
  const cases: [string, RegExp][] = [
    ['web.default:80', /^--to "web.default:80": "web.default" is not an IP address/],
    ['10.96.0.300:80', /not an IP address/],
    ['10.96.0.10:70000', /port "70000" is out of range; a port is 1-65535/],
    ['10.96.0.10:0', /out of range/],
    ['10.96.0.10:http', /port "http" is out of range/],
    ['10.96.0.10:80/ICMP', /unknown protocol "ICMP"; kproxy knows TCP, UDP, SCTP/],
    ['10.96.0.10', /the port is missing/],
    ['fd00::10:80', /the port is missing \(with IPv6, write \[IP\]:PORT\)/],
    ['10.96.0.10:80:90', /write IP:PORT, or \[IPv6\]:PORT/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseDestination(raw), (err: unknown) => err instanceof ConnectionError && message.test(err.message), raw);
  }
  assert.throws(() => parseIP('--source', 'pod-1'), /--source "pod-1": not an IP address/);
});

test('explain flags are taken out of argv and the rest left for kube-proxy flags', () => {
  const { flags, rest, used } = takeCommandFlags(['explain', '--from', 'x', '--to=1.2.3.4:80', '--source', '10.0.0.1', '-ojson', '--live', '--proxy-mode', 'nftables']);
  assert.deepEqual(rest, ['explain', '--from', 'x', '--proxy-mode', 'nftables']);
  assert.deepEqual(flags, { to: '1.2.3.4:80', source: '10.0.0.1', live: true, output: 'json' });
  assert.deepEqual(used, ['--to', '--source', '-o', '--live']);
  assert.throws(() => takeCommandFlags(['explain', '-o', 'yaml']), /output is "text" or "json"/);
  assert.throws(() => takeCommandFlags(['explain', '--to']), /--to needs a value/);
});
