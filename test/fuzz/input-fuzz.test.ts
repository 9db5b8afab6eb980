// Input fuzzing: random and mutated Services, EndpointSlices and Nodes go through validation, the model and
// every mode's renderer, and (as root) a real apply in a network namespace for iptables and nftables. Each
// object must be refused with an error naming origin, object and field, or be served; no renderer may
// throw, and the kernel must never reject a program. A fixed seed runs in CI within a time budget; more
// on demand:
//   KPROXY_FUZZ_SEED=7 KPROXY_FUZZ_ITERATIONS=5000 KPROXY_FUZZ_SECONDS=600 node scripts/test.mjs input-fuzz
// A failure names its round: the same KPROXY_FUZZ_SEED and at least that many iterations replay it
// (the model and the rules carry state from one round to the next).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/model/input-error.js';
import { ServiceModel } from '../../src/model/service-model.js';
import { validateObject } from '../../src/model/validate.js';
import type { KubeObject } from '../../src/model/objects.js';
import type { Snapshot } from '../../src/model/types.js';
import type { DataPlane, Renderer, SyncInput } from '../../src/dataplane/types.js';
import { UserspaceRenderer } from '../../src/dataplane/userspace/renderer.js';
import { createIptablesDataPlane } from '../../src/dataplane/iptables/index.js';
import { createNftablesDataPlane, NftCommand } from '../../src/dataplane/nftables/index.js';
import { IpvsRenderer } from '../../src/dataplane/ipvs/renderer.js';
import { canUseNetns, inNs, makeNetns, toolExists } from '../fixtures/netns.js';
import { Random, randomBatch } from './generate.js';

const SEED = Number(process.env['KPROXY_FUZZ_SEED'] ?? 20261201);
const ITERATIONS = Number(process.env['KPROXY_FUZZ_ITERATIONS'] ?? 300);
/** Each test stops starting new batches after this many seconds (the kernel tests get half each). */
const SECONDS = Number(process.env['KPROXY_FUZZ_SECONDS'] ?? 20);
/** Kernel applies are slower than renders: one kernel round per this many iterations. */
const ITERATIONS_PER_APPLY = 4;
const ORIGIN = 'fuzz/batch.yaml';
const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16,fd44::/64', bridgeInterface: '', interfaceNamePrefix: '' };
const FAMILIES = ['IPv4', 'IPv6'] as const;

/** An error must say where, what and why: the origin first, the object, and a field for invalid values. */
function assertClear(e: InputError, origin: string | undefined, context: string): void {
  assert.ok(e instanceof InputError, context);
  assert.ok(e.details.reason.length > 0, `${context}: empty reason`);
  if (origin !== undefined) {
    assert.ok(e.details.origin.startsWith(origin), `${context}: origin ${e.details.origin}`);
    assert.ok(e.message.startsWith(e.details.origin), `${context}: ${e.message}`);
  }
  if (e.code === 'KPROXY_INVALID') assert.ok(e.details.field, `${context}: no field in ${e.message}`);
  if (e.details.kind && e.details.name) assert.ok(e.message.includes(`${e.details.kind} `), `${context}: ${e.message}`);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(e.message.replace(/\\./g, '')), `${context}: control character in ${JSON.stringify(e.message)}`);
}

function newModel(errors: InputError[]): ServiceModel {
  const model = new ServiceModel({ hostname: 'node-a', defaultScheduler: 'rr', serviceProxyName: '' });
  model.onError((e) => errors.push(e));
  model.synced('fuzz');
  return model;
}

/** Runs `round` with seeds SEED, SEED+1, ... until `count` rounds or `seconds` ran out; names the failing round. */
async function rounds(count: number, seconds: number, round: (seed: number, r: Random) => Promise<void> | void): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  for (let i = 0; i < count && Date.now() < deadline; i++, done++) {
    const seed = SEED + i;
    try {
      await round(seed, new Random(seed));
    } catch (err) {
      const replay = `replay: KPROXY_FUZZ_SEED=${SEED} KPROXY_FUZZ_ITERATIONS=${i + 1}`;
      throw new Error(`fuzz round ${i + 1} (batch seed ${seed}; ${replay}): ${(err as Error).message}`, { cause: err });
    }
  }
  return done;
}

function checkBatch(batch: readonly Record<string, unknown>[]): void {
  batch.forEach((obj, i) => {
    const origin = `${ORIGIN}#${i + 1}`;
    const result = validateObject(obj, origin);
    assert.equal(result.object === undefined, result.errors.length > 0, 'an object is either accepted or refused with errors');
    for (const e of [...result.errors, ...(result.warnings ?? [])]) assertClear(e, origin, JSON.stringify(obj).slice(0, 300));
  });
}

test(`validation, the model and every renderer take random input (seed ${SEED}, up to ${ITERATIONS} batches)`, async (t: TestContext) => {
  const errors: InputError[] = [];
  const model = newModel(errors);
  const renderers: [string, Renderer<unknown>][] = [
    ['userspace', new UserspaceRenderer({ nodePortAddresses: [] }) as Renderer<unknown>],
    ['iptables', createIptablesDataPlane({ families: FAMILIES, detectLocal, conntrackTCPLiberal: false }).renderer as Renderer<unknown>],
    ['nftables', createNftablesDataPlane({ families: FAMILIES, detectLocal }).renderer as Renderer<unknown>],
    ['ipvs', new IpvsRenderer({ families: FAMILIES, detectLocal, localAddresses: () => [] }) as Renderer<unknown>],
  ];
  let previous: Snapshot | undefined;
  const done = await rounds(ITERATIONS, SECONDS, (_seed, r) => {
    const batch = randomBatch(r, r.int(1, 16));
    checkBatch(batch);
    errors.length = 0;
    model.replace(ORIGIN, batch as unknown as KubeObject[]);
    const snapshot = model.buildSnapshot();
    for (const e of errors) assertClear(e, undefined, 'model error');
    const full = r.chance(0.3) || previous === undefined;
    const input: SyncInput = { snapshot, previous: full ? undefined : previous, full };
    for (const [mode, renderer] of renderers) {
      const text = renderer.format(renderer.render(input));
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text), `${mode}: a control character in the program`);
    }
    previous = snapshot;
  });
  t.diagnostic(`${done} batches`);
});

interface KernelMode {
  mode: 'iptables' | 'nftables';
  skip: string | undefined;
  plane(ns: string): DataPlane<unknown>;
  /** The program in force, as the tools list it. */
  listed(ns: string): string;
}

const KERNEL_MODES: KernelMode[] = [
  {
    mode: 'iptables',
    skip: canUseNetns() ?? (toolExists('ip6tables-nft-restore') ? undefined : 'needs iptables-nft and ip6tables-nft'),
    plane: (ns) => createIptablesDataPlane({ netns: ns, backend: 'nft', families: FAMILIES, detectLocal, conntrackTCPLiberal: false, conntrackCleanup: false }) as DataPlane<unknown>,
    listed: (ns) => ['iptables-nft-save', 'ip6tables-nft-save'].map((cmd) => inNs(ns, [cmd])).join('\n'),
  },
  {
    mode: 'nftables',
    skip: canUseNetns() ?? (toolExists('nft') ? undefined : 'needs nft'),
    plane: (ns) => createNftablesDataPlane({ runner: new NftCommand({ netns: ns }), families: FAMILIES, detectLocal, conntrackCleanup: false }) as DataPlane<unknown>,
    listed: (ns) => inNs(ns, ['nft', 'list', 'ruleset']),
  },
];

for (const k of KERNEL_MODES) {
  const count = Math.max(1, Math.ceil(ITERATIONS / ITERATIONS_PER_APPLY));
  test(`${k.mode}: the kernel takes every program random input renders to (seed ${SEED}, up to ${count} applies)`, { skip: k.skip }, async (t: TestContext) => {
    const ns = await makeNetns(t, k.mode === 'iptables' ? 'fz' : 'fn');
    const plane = k.plane(ns);
    const errors: InputError[] = [];
    const model = newModel(errors);
    let previous: Snapshot | undefined;
    let served = 0;
    const done = await rounds(count, SECONDS / 2, async (_seed, r) => {
      const batch = randomBatch(r, r.int(4, 24));
      model.replace(ORIGIN, batch as unknown as KubeObject[]);
      const snapshot = model.buildSnapshot();
      const full = r.chance(0.3) || previous === undefined;
      const input: SyncInput = { snapshot, previous: full ? undefined : previous, full };
      await plane.executor.apply(plane.renderer.render(input), input);
      previous = snapshot;
      // Every service port the model serves is in the kernel (its ClusterIP appears in the rules).
      const rules = k.listed(ns);
      for (const family of FAMILIES) {
        for (const sp of snapshot.families[family].servicePorts.values()) {
          const ip = new RegExp(`(^|[^0-9a-f.:])${sp.clusterIP.replaceAll('.', '\\.')}([^0-9a-f.:]|$)`, 'm');
          assert.ok(ip.test(rules), `${sp.key} (${family}) ${sp.clusterIP} is not in the ${k.mode} rules`);
          served++;
        }
      }
    });
    t.diagnostic(`${done} applies, ${served} service ports served in all`);
    await plane.executor.cleanup();
  });
}
