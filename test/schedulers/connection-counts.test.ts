import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionCounter } from '../../src/schedulers/connection-counts.js';

it('counts open connections per backend', () => {
  const c = new ConnectionCounter({ now: () => 0 });
  c.opened('a');
  c.opened('a');
  c.opened('b');
  c.closed('a');
  assert.equal(c.active('a'), 1);
  assert.equal(c.active('b'), 1);
  assert.equal(c.active('unknown'), 0);
});

it('ignores a close without a matching open', () => {
  const c = new ConnectionCounter({ now: () => 0 });
  c.closed('a');
  c.opened('a');
  c.closed('a');
  c.closed('a');
  assert.equal(c.active('a'), 0);
  c.opened('a');
  assert.equal(c.active('a'), 1);
});

it('counts a closed connection as inactive until it has lingered lingerMs', () => {
  let t = 0;
  const c = new ConnectionCounter({ now: () => t, lingerMs: 10_000 });
  c.opened('a');
  c.opened('a');
  c.closed('a');
  t = 5_000;
  c.closed('a');
  assert.equal(c.inactive('a'), 2);
  t = 10_000;
  assert.equal(c.inactive('a'), 1);
  t = 15_000;
  assert.equal(c.inactive('a'), 0);
});

it('keeps no inactive count with lingerMs 0, and rejects a negative linger', () => {
  const c = new ConnectionCounter({ now: () => 0, lingerMs: 0 });
  c.opened('a');
  c.closed('a');
  assert.equal(c.inactive('a'), 0);
  assert.throws(() => new ConnectionCounter({ lingerMs: -1 }), /lingerMs: got -1/);
});

it('lingers with the IPVS TIME_WAIT default of two minutes', () => {
  let t = 0;
  const c = new ConnectionCounter({ now: () => t });
  c.opened('a');
  c.closed('a');
  t = 119_999;
  assert.equal(c.inactive('a'), 1);
  t = 120_000;
  assert.equal(c.inactive('a'), 0);
});
