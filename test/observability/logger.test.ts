import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, type LoggerOptions } from '../../src/observability/logger.js';

function capture(opts: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const stream = { write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WritableStream;
  // Local-time components, as klog prints local time.
  const at = new Date(2024, 10, 21, 11, 44, 30, 123);
  const logger = createLogger({ format: 'text', verbosity: 0, stream, now: () => at, pid: 1234, caller: 'server.go:12', ...opts });
  return { logger, lines, at };
}

test('text lines have klog header, quoted message and key=value pairs', () => {
  const { logger, lines } = capture();
  logger.info('Starting healthz HTTP server', { address: '0.0.0.0:10256', port: 3, ok: true });
  assert.deepEqual(lines, ['I1121 11:44:30.123000    1234 server.go:12] "Starting healthz HTTP server" address="0.0.0.0:10256" port=3 ok=true\n']);
});

test('text warning and error severities; error puts err first', () => {
  const { logger, lines } = capture();
  logger.warn('Slow sync', { seconds: 1.5 });
  logger.error('Sync failed', { mode: 'iptables', err: new Error('exit status 1') });
  assert.equal(lines[0], 'W1121 11:44:30.123000    1234 server.go:12] "Slow sync" seconds=1.5\n');
  assert.equal(lines[1], 'E1121 11:44:30.123000    1234 server.go:12] "Sync failed" err="exit status 1" mode="iptables"\n');
});

test('text values: quotes escaped, objects as JSON, nil', () => {
  const { logger, lines } = capture();
  logger.info('m', { s: 'a "b"\nc', o: { a: [1] }, n: null });
  assert.equal(lines[0], 'I1121 11:44:30.123000    1234 server.go:12] "m" s="a \\"b\\"\\nc" o={"a":[1]} n=<nil>\n');
});

test('JSON lines in the Kubernetes JSON logging shape', () => {
  const { logger, lines, at } = capture({ format: 'json', verbosity: 2 });
  logger.info('Pod status updated', { pod: 'a', n: 2 });
  logger.v(2).info('Detail', { k: 'v' });
  logger.error('Failed', { err: new Error('timeout'), k: 1 });
  const ts = at.getTime() / 1000;
  assert.equal(lines[0], `{"ts":${ts},"caller":"server.go:12","msg":"Pod status updated","v":0,"pod":"a","n":2}\n`);
  assert.equal(lines[1], `{"ts":${ts},"caller":"server.go:12","msg":"Detail","v":2,"k":"v"}\n`);
  assert.equal(lines[2], `{"ts":${ts},"caller":"server.go:12","msg":"Failed","err":"timeout","k":1}\n`);
});

test('v(n) writes only when verbosity >= n', () => {
  const { logger, lines } = capture({ verbosity: 2 });
  assert.equal(logger.v(2).enabled, true);
  assert.equal(logger.v(3).enabled, false);
  logger.v(3).info('hidden');
  logger.v(2).info('shown');
  logger.v(0).info('also shown');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /"shown"/);
});

test('without a fixed caller, the caller is the calling file:line', () => {
  const { logger, lines } = capture({ caller: undefined });
  logger.info('here');
  logger.v(0).info('here too');
  for (const line of lines) assert.match(line, / logger\.test\.js:\d+\] "here/);
});

test('invalid options are rejected naming the option', () => {
  assert.throws(() => createLogger({ format: 'xml' as 'text', verbosity: 0 }), /logging format: got "xml", allowed: text, json/);
  assert.throws(() => createLogger({ format: 'text', verbosity: -1 }), /verbosity/);
});
