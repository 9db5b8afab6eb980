import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchUsageError, EXPERIMENTS, PROFILES, effectiveProfile, parseBenchArgs } from '../../src/bench/bench-options.js';

test('defaults: full profile, every experiment and mode', () => {
  const o = parseBenchArgs([]);
  assert.equal(o.profile, 'full');
  assert.deepEqual(o.experiments, [...EXPERIMENTS]);
  assert.deepEqual(o.modes, ['userspace', 'iptables', 'nftables', 'ipvs']);
  assert.equal(o.resume, false);
});

test('flags in both spellings select profile, experiments, modes, output, resume and sizes', () => {
  const o = parseBenchArgs(['--quick', '--experiments', 'scale,latency', '--modes=nftables', '--out', '/x', '--resume', '--services=100,500']);
  assert.equal(o.profile, 'quick');
  assert.deepEqual(o.experiments, ['scale', 'latency']);
  assert.deepEqual(o.modes, ['nftables']);
  assert.equal(o.outDir, '/x');
  assert.equal(o.resume, true);
  const p = effectiveProfile(o);
  assert.deepEqual(p.scale.serviceCounts, [100, 500]);
  assert.deepEqual(p.sync.serviceCounts, [100, 500]);
  assert.deepEqual(p.latency, PROFILES.quick.latency);
});

test('bad names, values and unknown flags are refused naming what is allowed', () => {
  assert.throws(() => parseBenchArgs(['--modes', 'ebpf']), (e: Error) => e instanceof BenchUsageError && /ebpf.*userspace, iptables, nftables, ipvs/.test(e.message));
  assert.throws(() => parseBenchArgs(['--experiments', 'speed']), /latency, schedulers, scale, sync, userspace/);
  assert.throws(() => parseBenchArgs(['--services', '10,x']), /whole numbers/);
  assert.throws(() => parseBenchArgs(['--out']), /needs a value/);
  assert.throws(() => parseBenchArgs(['--fast']), /unknown argument/);
});

test('the quick profile stays small enough for its 3-minute budget', () => {
  const q = PROFILES.quick;
  assert.ok(Math.max(...q.scale.serviceCounts) <= 1000);
  assert.ok(q.latency.seconds <= 5 && q.schedulers.delayMs <= 200);
  assert.ok(PROFILES.full.scale.serviceCounts.includes(4000) && PROFILES.full.scale.concurrency === 1000);
});

test('IPVS runs with iptables in the same UML kernel as its reference, for latency and scale only', async () => {
  const { umlReference } = await import('../../src/bench/bench-command.js');
  const spec = { mode: 'ipvs' as const, experiments: [...EXPERIMENTS], profile: PROFILES.smoke, skip: [] };
  assert.deepEqual(umlReference(spec).map((s) => [s.mode, s.label, s.kernel, s.experiments]), [['iptables', 'iptables-uml', 'uml', ['latency', 'scale']]]);
  assert.deepEqual(umlReference({ ...spec, experiments: ['sync', 'schedulers'] }), []);
});
