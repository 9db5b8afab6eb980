import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationHashScheduler } from '../../src/schedulers/dh.js';
import { populateMaglevTable } from '../../src/schedulers/maglev-table.js';
import { MaglevHashScheduler } from '../../src/schedulers/mh.js';
import { SourceHashScheduler } from '../../src/schedulers/sh.js';
import type { Backend, Scheduler } from '../../src/schedulers/types.js';
import { backend, backends, clientIP, ctx } from './fixtures.js';

const KEYS = 5000;

/** The backend id each of KEYS clients (or destinations, for dh) maps to. */
function mapping(s: Scheduler, by: 'client' | 'destination' = 'client'): (string | undefined)[] {
  return Array.from({ length: KEYS }, (_, i) =>
    s.pick(by === 'client' ? ctx(clientIP(i), 1000 + i) : ctx('192.168.0.1', 1000 + i, clientIP(i)))?.id);
}

function shares(ids: readonly (string | undefined)[]): Map<string | undefined, number> {
  const out = new Map<string | undefined, number>();
  for (const id of ids) out.set(id, (out.get(id) ?? 0) + 1 / ids.length);
  return out;
}

function movedShare(before: readonly unknown[], after: readonly unknown[], keep?: (i: number) => boolean): number {
  return before.filter((id, i) => id !== after[i] && (keep?.(i) ?? true)).length / before.length;
}

function assertSpread(ids: readonly (string | undefined)[], set: readonly Backend[]): void {
  const s = shares(ids);
  for (const b of set) {
    const share = s.get(b.id) ?? 0;
    assert.ok(Math.abs(share - 1 / set.length) < 0.35 / set.length, `${b.id} got ${(share * 100).toFixed(1)}%`);
  }
}

describe('sh', () => {
  it('maps a client to the same backend while the set is unchanged, whatever the order given', () => {
    const s = new SourceHashScheduler(false);
    const set = backends(4);
    s.update(set);
    const first = mapping(s);
    assert.deepEqual(mapping(s), first);
    s.update([...set].reverse());
    assert.deepEqual(mapping(s), first);
    // Without the port flag a client's other connections go to the same backend.
    assert.equal(s.pick(ctx(clientIP(7), 1))?.id, s.pick(ctx(clientIP(7), 65000))?.id);
  });

  it('spreads clients over the backends', () => {
    const s = new SourceHashScheduler(false);
    const set = backends(4);
    s.update(set);
    assertSpread(mapping(s), set);
  });

  it('gives a backend buckets in proportion to its weight', () => {
    const s = new SourceHashScheduler(false);
    s.update(backends(2, [3, 1]));
    const share = shares(mapping(s)).get('10.1.0.1:8080') ?? 0;
    assert.ok(share > 0.68 && share < 0.82, `weight 3 of 4 got ${(share * 100).toFixed(1)}%`);
  });

  it('hashes the client port too with hashSourcePort', () => {
    const s = new SourceHashScheduler(true);
    s.update(backends(4));
    const ids = new Set(Array.from({ length: 64 }, (_, port) => s.pick(ctx('192.168.7.7', 20000 + port))?.id));
    assert.ok(ids.size > 1, 'one client on many ports reached a single backend');
    assert.equal(s.pick(ctx('192.168.7.7', 20001))?.id, s.pick(ctx('192.168.7.7', 20001))?.id);
  });

  it('moves only the clients of a backend that drains to weight 0', () => {
    const s = new SourceHashScheduler(false);
    const set = backends(4);
    s.update(set);
    const before = mapping(s);
    s.update(set.map((b, i) => (i === 1 ? { ...b, weight: 0 } : b)));
    const after = mapping(s);
    assert.equal(movedShare(before, after, (i) => before[i] !== set[1]!.id), 0);
    assert.ok(!after.includes(set[1]!.id));
  });
});

describe('dh', () => {
  it('maps a destination to the same backend whoever the client is', () => {
    const s = new DestinationHashScheduler();
    s.update(backends(3));
    const byDestination = mapping(s, 'destination');
    assert.deepEqual(mapping(s, 'destination'), byDestination);
    assert.equal(s.pick(ctx('192.168.1.1', 1, '10.96.0.10'))?.id, s.pick(ctx('192.168.9.9', 2, '10.96.0.10'))?.id);
  });

  it('spreads destinations over the backends', () => {
    const s = new DestinationHashScheduler();
    const set = backends(3);
    s.update(set);
    assertSpread(mapping(s, 'destination'), set);
  });
});

describe('mh', () => {
  it('maps a client to the same backend while the set is unchanged, whatever the order given', () => {
    const s = new MaglevHashScheduler(false);
    const set = backends(6);
    s.update(set);
    const first = mapping(s);
    s.update([...set].reverse());
    assert.deepEqual(mapping(s), first);
  });

  it('spreads clients evenly', () => {
    const s = new MaglevHashScheduler(false);
    const set = backends(6);
    s.update(set);
    assertSpread(mapping(s), set);
  });

  it('moves only about 1/N of the clients when one of N backends goes, and restores them when it returns', () => {
    const s = new MaglevHashScheduler(false);
    const set = backends(10);
    s.update(set);
    const before = mapping(s);
    s.update(set.filter((_, i) => i !== 4));
    const after = mapping(s);
    assert.ok(movedShare(before, after) < 1 / 10 + 0.04, `moved ${movedShare(before, after)}`);
    assert.ok(movedShare(before, after, (i) => before[i] !== set[4]!.id) < 0.04);
    s.update(set);
    assert.deepEqual(mapping(s), before);
  });

  it('keeps every other client in place when a backend drains to weight 0', () => {
    const s = new MaglevHashScheduler(false);
    const set = backends(5);
    s.update(set);
    const before = mapping(s);
    s.update(set.map((b, i) => (i === 2 ? { ...b, weight: 0 } : b)));
    const after = mapping(s);
    assert.equal(movedShare(before, after, (i) => before[i] !== set[2]!.id), 0);
    assert.ok(!after.includes(set[2]!.id));
  });

  it('gives a backend slots in proportion to its weight', () => {
    const s = new MaglevHashScheduler(false);
    s.update([backend('10.1.0.1', 2), backend('10.1.0.2', 1)]);
    const share = shares(mapping(s)).get('10.1.0.1:8080') ?? 0;
    assert.ok(share > 0.6 && share < 0.73, `weight 2 of 3 got ${(share * 100).toFixed(1)}%`);
  });

  it('hashes the client port too with hashSourcePort', () => {
    const plain = new MaglevHashScheduler(false);
    const withPort = new MaglevHashScheduler(true);
    plain.update(backends(4));
    withPort.update(backends(4));
    const ports = Array.from({ length: 64 }, (_, i) => 20000 + i);
    assert.equal(new Set(ports.map((p) => plain.pick(ctx('192.168.7.7', p))?.id)).size, 1);
    assert.ok(new Set(ports.map((p) => withPort.pick(ctx('192.168.7.7', p))?.id)).size > 1);
  });

  it('scales large weights down to 6 bits of weight/gcd, as the kernel, yet keeps every weighted backend', () => {
    // 400:2 is 200:1 after the gcd; 200 needs 8 bits, so both shift right by 2: 50 turns against 0,
    // and a backend whose turns round to 0 still gets one.
    const heavy = backend('10.1.0.1', 400);
    const light = backend('10.1.0.2', 2);
    const table = populateMaglevTable([{ backend: heavy, weight: 400 }, { backend: light, weight: 2 }], 4093);
    const lightSlots = table.filter((b) => b === light).length;
    assert.equal(table.length, 4093);
    assert.ok(lightSlots >= 78 && lightSlots <= 82, `light backend owns ${lightSlots} slots`);
  });
});
