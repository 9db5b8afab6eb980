import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientIPAffinity } from '../../src/schedulers/affinity.js';

function clock(start = 1_000_000): { now: () => number; advance: (seconds: number) => void } {
  let t = start;
  return { now: () => t, advance: (seconds) => (t += seconds * 1000) };
}

it('holds a client to its backend within the timeout', () => {
  const c = clock();
  const a = new ClientIPAffinity(10, c.now);
  a.record('192.168.0.1', '10.1.0.1:80');
  c.advance(9.999);
  assert.equal(a.lookup('192.168.0.1'), '10.1.0.1:80');
  assert.equal(a.lookup('192.168.0.2'), undefined);
});

it('expires an entry once the timeout has passed without use', () => {
  const c = clock();
  const a = new ClientIPAffinity(10, c.now);
  a.record('192.168.0.1', '10.1.0.1:80');
  c.advance(10);
  assert.equal(a.lookup('192.168.0.1'), undefined);
  assert.equal(a.size, 0);
});

it('restarts the timeout on every use', () => {
  const c = clock();
  const a = new ClientIPAffinity(10, c.now);
  a.record('192.168.0.1', '10.1.0.1:80');
  for (let i = 0; i < 5; i++) {
    c.advance(8);
    assert.equal(a.lookup('192.168.0.1'), '10.1.0.1:80', `use ${i}`);
  }
  c.advance(10);
  assert.equal(a.lookup('192.168.0.1'), undefined);
});

it('rebinds a client when recorded again', () => {
  const c = clock();
  const a = new ClientIPAffinity(10, c.now);
  a.record('192.168.0.1', '10.1.0.1:80');
  a.record('192.168.0.1', '10.1.0.2:80');
  assert.equal(a.lookup('192.168.0.1'), '10.1.0.2:80');
  assert.equal(a.size, 1);
});

it('forgets every client of a backend that left, and only those', () => {
  const c = clock();
  const a = new ClientIPAffinity(10, c.now);
  a.record('192.168.0.1', '10.1.0.1:80');
  a.record('192.168.0.2', '10.1.0.2:80');
  a.record('192.168.0.3', '10.1.0.1:80');
  a.forget('10.1.0.1:80');
  assert.equal(a.lookup('192.168.0.1'), undefined);
  assert.equal(a.lookup('192.168.0.3'), undefined);
  assert.equal(a.lookup('192.168.0.2'), '10.1.0.2:80');
  assert.equal(a.size, 1);
});

it('sweeps expired entries so memory stays bounded, keeping refreshed ones', () => {
  const c = clock();
  const a = new ClientIPAffinity(10, c.now);
  for (let i = 0; i < 100; i++) a.record(`192.168.1.${i}`, '10.1.0.1:80');
  c.advance(5);
  a.lookup('192.168.1.50');
  c.advance(6);
  a.sweep();
  assert.equal(a.size, 1);
  assert.equal(a.lookup('192.168.1.50'), '10.1.0.1:80');
  // record() sweeps as it goes: a stream of one-off clients does not accumulate.
  for (let i = 0; i < 1000; i++) {
    a.record(`10.9.${i >> 8}.${i & 255}`, '10.1.0.1:80');
    c.advance(1);
  }
  assert.ok(a.size <= 11, `size ${a.size}`);
});

it('rejects a timeout that is not above 0, naming the value', () => {
  assert.throws(() => new ClientIPAffinity(0, Date.now), /timeoutSeconds: got 0/);
  assert.throws(() => new ClientIPAffinity(Number.NaN, Date.now), /got NaN/);
});
