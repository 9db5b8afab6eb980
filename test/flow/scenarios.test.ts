// The scenario table is well-formed: each flow can run in the lab and each expectation can be met by the
// objects in force when the flow is sent. Checked without root, so a typo fails fast everywhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { test } from 'node:test';
import type { KubeObject } from '../../src/model/objects.js';
import { splitHostPort } from '../../src/lab/flow-wire.js';
import { planLab } from './manifests.js';
import { allFlows, API_SOURCE, UPSTREAM_MODES, type Scenario } from './scenario.js';
import { SCENARIOS } from './scenarios.js';
import { PROXY_MODES } from '../../src/dataplane/types.js';
import { CLIENT_FLAGS, CONNTRACK_FLAGS, MODE_FLAGS, PROGRAM_FLAGS, SERVER_FLAGS, TRAFFIC_FLAGS } from '../../src/config/flags-kube.js';

function objectsAt(s: Scenario, step: string | undefined): KubeObject[] {
  return step === undefined ? s.objects : (s.steps ?? []).find((st) => st.name === step)?.objects ?? [];
}

function endpointsIn(objects: readonly KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'EndpointSlice') continue;
    for (const e of o.endpoints ?? []) for (const a of e.addresses) for (const p of o.ports ?? []) out.add(isIP(a) === 6 ? `[${a}]:${p.port}` : `${a}:${p.port}`);
  }
  return out;
}

test('scenario names are unique', () => {
  const names = SCENARIOS.map((s) => s.name);
  assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
});

test('every flow has a valid destination and a source of the same family; pod flows name their pod', () => {
  for (const s of SCENARIOS) {
    for (const { index, flow } of allFlows(s)) {
      const where = `${s.name} flow #${index}`;
      const to = splitHostPort(flow.to, `${where} to`);
      if (flow.from === 'pod') assert.ok(flow.fromIP, `${where}: a pod flow needs fromIP`);
      if (flow.fromIP) assert.equal(isIP(flow.fromIP), isIP(to.ip), `${where}: fromIP and to differ in family`);
    }
  }
});

test('answeredBy names only endpoints present when the flow is sent', () => {
  for (const s of SCENARIOS) {
    for (const { index, step, flow } of allFlows(s)) {
      const present = endpointsIn(objectsAt(s, step));
      for (const e of flow.expect.answeredBy ?? []) assert.ok(present.has(e), `${s.name} flow #${index}: ${e} is no endpoint here`);
    }
  }
});

test('byMode names known modes and existing flows', () => {
  for (const s of SCENARIOS) {
    const count = allFlows(s).length;
    for (const [mode, override] of Object.entries(s.byMode ?? {})) {
      assert.ok([...PROXY_MODES, ...UPSTREAM_MODES, API_SOURCE].includes(mode), `${s.name}: unknown mode ${mode}`);
      for (const i of Object.keys(override.expect ?? {})) assert.ok(Number(i) < count, `${s.name}: ${mode} overrides flow #${i} of ${count}`);
    }
  }
});

test('every departure from upstream says why, and docs/compat.md lists it', () => {
  const compat = readFileSync(new URL('../../../docs/compat.md', import.meta.url), 'utf8');
  const section = compat.slice(compat.indexOf('## Departures the oracle found'));
  assert.ok(section.length < compat.length, 'docs/compat.md has a section "Departures the oracle found"');
  for (const s of SCENARIOS) {
    for (const mode of UPSTREAM_MODES) {
      const o = s.byMode?.[mode];
      if (!o) continue;
      if (o.expect) assert.ok(o.departure?.trim(), `${s.name}: ${mode} expects otherwise without a departure saying why`);
      if (o.departure) assert.ok(section.includes(s.name), `${s.name}: its departure from ${mode} is not in docs/compat.md`);
    }
  }
});

test('no two Services in force at once share a NodePort (the API server would refuse the second)', () => {
  for (const s of SCENARIOS) {
    for (const [step, objects] of [['', s.objects], ...(s.steps ?? []).map((st) => [st.name, st.objects] as const)] as const) {
      const ports = objects.flatMap((o) => (o.kind === 'Service' ? (o.spec.ports ?? []).map((p) => p.nodePort) : [])).filter((p) => p !== undefined);
      assert.deepEqual(ports.filter((p, i) => ports.indexOf(p) !== i), [], `${s.name} ${step}: NodePort used twice`);
    }
  }
});

test('the lab plan gives every endpoint a backend and puts sending-only pods apart', () => {
  const plan = planLab(SCENARIOS);
  for (const s of SCENARIOS) for (const e of endpointsIn(s.objects)) if (!e.startsWith('not')) assert.ok(plan.listen.includes(e), e);
  assert.ok(plan.clientPodIPs.includes('10.244.9.50'));
  assert.ok(plan.podIPs.includes('10.244.1.12') && !plan.clientPodIPs.includes('10.244.1.12'), 'the hairpin pod is an endpoint');
});

test('scenario flags are upstream kube-proxy flags, so an upstream adapter can pass them unchanged', () => {
  const upstream = new Set(
    [CLIENT_FLAGS, CONNTRACK_FLAGS, MODE_FLAGS, PROGRAM_FLAGS, SERVER_FLAGS, TRAFFIC_FLAGS].flat().filter((f) => !f.kproxy).map((f) => f.name),
  );
  for (const s of SCENARIOS) {
    for (const flag of s.flags ?? []) {
      const name = /^--([a-z0-9-]+)(=|$)/.exec(flag)?.[1];
      assert.ok(name && upstream.has(name), `${s.name}: ${flag} is no upstream kube-proxy flag (--name or --name=value)`);
    }
  }
});
