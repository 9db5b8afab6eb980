import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAbOutput } from '../../src/bench/ab-output.js';
import { parseWrkOutput, wrkDurationMs } from '../../src/bench/wrk-output.js';
import { versionOf } from '../../src/bench/system-info.js';

test('tool versions: the dotted number the output names, wherever the tool printed it', () => {
  assert.equal(versionOf('modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.18.44\nipvsadm v1.31 2019/12/24\n'), '1.31');
  assert.equal(versionOf('\nnginx version: nginx/1.22.1\n'), '1.22.1');
  assert.equal(versionOf('This is ApacheBench, Version 2.3 <$Revision$>\nCopyright 1996 Adam Twiss\n'), '2.3');
  assert.equal(versionOf('wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\nUsage: wrk <options> <url>\n    -v, --version 1.0\n'), '4.1.0-3+b2');
  assert.equal(versionOf('iptables v1.8.9 (nf_tables)\n'), '1.8.9 (nf_tables)');
  assert.equal(versionOf('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\n'), '2.6.12-1+deb12u4');
  assert.equal(versionOf('6.1.176\n'), '6.1.176');
  assert.equal(versionOf('modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.18.44\nCan\'t initialize ipvs\n'), undefined);
  assert.equal(versionOf(''), undefined);
});

const AB = `This is ApacheBench, Version 2.3 <$Revision: 1903618 $>
Benchmarking 10.96.0.20 (be patient)
Server Software:        nginx/1.22.1
Concurrency Level:      1000
Time taken for tests:   2.345 seconds
Complete requests:      10000
Failed requests:        3
   (Connect: 0, Receive: 0, Length: 3, Exceptions: 0)
Non-2xx responses:      2
Requests per second:    4264.39 [#/sec] (mean)
Time per request:       234.500 [ms] (mean)

Connection Times (ms)
              min  mean[+/-sd] median   max
Connect:        0   40 120.5      3    1031
Processing:     1   12  20.1      6     210
Waiting:        1   11  19.0      5     209
Total:          2   52 125.0     10    1040

Percentage of the requests served within a certain time (ms)
  50%     10
 100%   1040 (longest request)
`;

test('ab: summary lines and every Connection Times row', () => {
  const r = parseAbOutput(AB);
  assert.equal(r.completeRequests, 10000);
  assert.equal(r.failedRequests, 3);
  assert.equal(r.lengthFailures, 3);
  assert.equal(r.non2xx, 2);
  assert.equal(r.requestsPerSecond, 4264.39);
  assert.equal(r.timeTakenSeconds, 2.345);
  assert.deepEqual(r.times.connect, { min: 0, mean: 40, sd: 120.5, median: 3, max: 1031 });
  assert.deepEqual(r.times.processing, { min: 1, mean: 12, sd: 20.1, median: 6, max: 210 });
  assert.deepEqual(r.times.waiting, { min: 1, mean: 11, sd: 19, median: 5, max: 209 });
  assert.deepEqual(r.times.total, { min: 2, mean: 52, sd: 125, median: 10, max: 1040 });
});

test('ab: output without the table or summary is refused with what was seen', () => {
  assert.throws(() => parseAbOutput('apr_socket_recv: Connection refused (111)'), /not ab output/);
  assert.throws(() => parseAbOutput(AB.replace(/^Waiting:.*$/m, '')), /"Waiting:" row/);
});

const WRK = `Running 10s test @ http://10.96.0.30/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   631.43us  288.75us   6.00ms   91.02%
    Req/Sec    38.12k     2.10k   42.00k    70.00%
  Latency Distribution
     50%  580.00us
     75%  700.00us
     90%    1.10ms
     99%    2.50ms
  758634 requests in 10.00s, 120.00MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  75863.40
Transfer/sec:     12.00MB
`;

test('wrk: totals, latency line, distribution in ms, socket errors', () => {
  const r = parseWrkOutput(WRK);
  assert.equal(r.requests, 758634);
  assert.equal(r.durationSeconds, 10);
  assert.equal(r.requestsPerSecond, 75863.4);
  assert.ok(Math.abs(r.latencyMs.mean - 0.63143) < 1e-9);
  assert.equal(r.latencyMs.max, 6);
  assert.ok(Math.abs(r.percentilesMs['50']! - 0.58) < 1e-9);
  assert.equal(r.percentilesMs['99'], 2.5);
  assert.deepEqual(r.socketErrors, { connect: 1, read: 2, write: 3, timeout: 4 });
  assert.equal(r.non2xx, 5);
});

test('wrk: durations in every unit, and garbage refused', () => {
  assert.equal(wrkDurationMs('2.00s'), 2000);
  assert.equal(wrkDurationMs('1.50m'), 90_000);
  assert.equal(wrkDurationMs('500.00us'), 0.5);
  assert.throws(() => wrkDurationMs('fast'), /not a wrk duration/);
  assert.throws(() => parseWrkOutput('unable to connect to 10.96.0.30:80 Connection refused'), /not wrk output/);
});
