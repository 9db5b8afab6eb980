// The scheduler table is the one answer to "what does scheduler S do in mode M": every name resolves in
// every mode to something the mode can run, an unknown name follows one rule everywhere (checked through
// each mode's own code path, not only the table), and docs/compat.md and --help say what the table says.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { helpText } from '../../src/config/help.js';
import { IPVS_SCHEDULERS } from '../../src/config/types.js';
import { kernelScheduler } from '../../src/dataplane/nftables/kernel-schedulers.js';
import { NftRenderer } from '../../src/dataplane/nftables/renderer.js';
import { IpvsRenderer } from '../../src/dataplane/ipvs/renderer.js';
import { BackendPicker } from '../../src/dataplane/userspace/backend-picker.js';
import type { ListenerSpec } from '../../src/dataplane/userspace/listener-table.js';
import { PROXY_MODES } from '../../src/dataplane/types.js';
import { SCHEDULER_NAMES } from '../../src/schedulers/registry.js';
import { ipvsSchedulerHelp, NFT_PICK_EXPRESSION, renderSchedulerSection, SECTION_BEGIN, SECTION_END } from '../../src/schedulers/scheduler-docs.js';
import {
  defaultSchedulerFor, MODE_SCHEDULING, resolveScheduler, SCHEDULER_TABLE, schedulerWarning, TABLE_SCHEDULER_NAMES, UNKNOWN_SCHEDULER_RULE,
  type NftablesPick,
} from '../../src/schedulers/scheduler-table.js';
import * as nft from '../nftables/fixtures.js';
import * as ipvs from '../ipvs/fixtures.js';

const READING = ['userspace', 'nftables', 'ipvs'] as const;
const PICKS: readonly NftablesPick[] = ['random', 'rr', 'sh', 'dh'];

test('the table covers every mode, and every name the configuration accepts', () => {
  assert.deepEqual(Object.keys(MODE_SCHEDULING).sort(), [...PROXY_MODES].sort());
  assert.deepEqual(IPVS_SCHEDULERS, ['', ...TABLE_SCHEDULER_NAMES]);
  assert.equal(new Set(TABLE_SCHEDULER_NAMES).size, TABLE_SCHEDULER_NAMES.length, 'names are unique');
  for (const mode of PROXY_MODES) assert.ok(TABLE_SCHEDULER_NAMES.includes(defaultSchedulerFor(mode, '')), `${mode}'s default is a row`);
  assert.equal(defaultSchedulerFor('nftables', 'sh'), 'sh');
});

test('every name resolves in every mode to something that mode runs', () => {
  for (const row of SCHEDULER_TABLE) {
    assert.ok(SCHEDULER_NAMES.includes(row.userspace.runs), `${row.name}: userspace runs a plugin`);
    assert.ok(PICKS.includes(row.nftables.runs), `${row.name}: nftables runs an nft pick`);
    // IPVS runs kernel schedulers only: a name IPVS runs is one whose own row runs it as itself.
    assert.equal(resolveScheduler('ipvs', row.ipvs.runs).meaning.fit, 'same', `${row.name}: ipvs runs a kernel scheduler`);
    for (const mode of READING) {
      const m = row[mode];
      assert.equal(m.fit === 'same', m.runs === row.name, `${row.name} in ${mode}: 'same' exactly when it runs itself`);
      if (m.fit !== 'same') assert.ok(m.why, `${row.name} in ${mode}: says why`);
      const choice = resolveScheduler(mode, row.name);
      assert.equal(choice.unknown, false);
      assert.equal(schedulerWarning(mode, 'ns/web:http', choice) !== undefined, m.fit === 'fallback', `${row.name} in ${mode}: warned exactly on fallback`);
    }
  }
  for (const name of SCHEDULER_NAMES) assert.ok(TABLE_SCHEDULER_NAMES.includes(name), `plugin ${name} has a row`);
});

test("'' means the mode's default; an explicit default wins", () => {
  for (const mode of READING) assert.equal(resolveScheduler(mode, '').requested, MODE_SCHEDULING[mode].defaultScheduler);
  assert.equal(resolveScheduler('nftables', '', 'sh').meaning.runs, 'sh');
});

test('an unknown name: one rule in every mode, warned with the Service port and the value', () => {
  const rule = SCHEDULER_TABLE.find((r) => r.name === UNKNOWN_SCHEDULER_RULE)!;
  for (const mode of READING) {
    const choice = resolveScheduler(mode, 'fastest');
    assert.equal(choice.unknown, true);
    assert.deepEqual(choice.meaning, rule[mode], mode);
    assert.match(schedulerWarning(mode, 'ns/web:http', choice)!, /ns\/web:http: scheduler "fastest" \(annotation kproxy\.io\/scheduler\) is unknown; using rr \(known: rr, wrr, .*random\)/);
  }
});

test("an unknown name runs rr through each mode's own code", () => {
  // nftables: the pick chain.
  assert.deepEqual(kernelScheduler('fastest'), { scheduler: 'rr', fallbackFrom: 'fastest' });
  // IPVS: the virtual server, and the render's warning.
  const ipvsProgram = new IpvsRenderer({ nodeIPs: ['192.0.2.10'], localAddresses: () => [] }).render({
    snapshot: ipvs.snapshot([ipvs.servicePort({ name: 'odd', clusterIP: '10.96.0.30', scheduler: 'fastest', endpoints: [ipvs.ep('10.244.1.1', 80)] })]),
    previous: undefined,
    full: true,
  });
  assert.deepEqual(ipvsProgram.families[0]!.virtualServers.map((v) => v.scheduler), ['rr']);
  assert.ok(ipvsProgram.warnings.some((w) => /"fastest".*unknown; using rr/.test(w)), ipvsProgram.warnings.join('\n'));
  // userspace: the picker warns and takes turns as rr does.
  const warnings: string[] = [];
  const spec: ListenerSpec = {
    id: 'TCP/10.96.0.30:80', family: 'IPv4', address: '10.96.0.30', port: 80, protocol: 'TCP', kind: 'ClusterIP', servicePort: 'ns/odd:http',
    action: 'proxy', scheduler: 'fastest', affinity: { type: 'None' }, sourceRanges: [],
    backends: ['10.244.1.1', '10.244.1.2'].map((ip) => ({ id: `${ip}:80`, ip, port: 80, weight: 1 })),
  };
  const picker = new BackendPicker(spec, () => 0, (w) => warnings.push(w));
  assert.deepEqual(Array.from({ length: 4 }, () => picker.pick('192.168.0.1', 40000)?.ip), ['10.244.1.1', '10.244.1.2', '10.244.1.1', '10.244.1.2']);
  assert.match(warnings.join('\n'), /ns\/odd:http: scheduler "fastest" .*unknown; using rr/);
});

test('the nft expression the docs name is the one the renderer writes', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const ports = PICKS.map((s, i) => nft.servicePort(s, `10.96.0.${i + 1}`, [nft.ep('10.244.0.1'), nft.ep('10.244.0.2')], { scheduler: s }));
  const text = r.format(r.render({ snapshot: nft.snapshot(ports), previous: undefined, full: true }));
  for (const pick of PICKS) {
    const line = text.split('\n').find((l) => l.includes(`cluster-ip-${pick}-2 `) && l.includes('dnat'));
    assert.ok(line?.includes(NFT_PICK_EXPRESSION[pick]), `${pick}: ${line}`);
  }
});

test('docs/compat.md holds the rendered table', () => {
  const compat = readFileSync(new URL('../../../docs/compat.md', import.meta.url), 'utf8');
  const begin = compat.indexOf(SECTION_BEGIN);
  const end = compat.indexOf(SECTION_END);
  assert.ok(begin >= 0 && end > begin, 'docs/compat.md has the scheduler table markers');
  assert.equal(compat.slice(begin, end + SECTION_END.length), renderSchedulerSection(),
    'docs/compat.md differs from the table: paste renderSchedulerSection() (dist/src/schedulers/scheduler-docs.js) between the markers');
});

test('--help explains --ipvs-scheduler from the table', () => {
  const help = helpText().replace(/\n\s+/g, ' ');
  assert.ok(help.includes(ipvsSchedulerHelp()), 'the flag text is the rendered one');
  for (const name of TABLE_SCHEDULER_NAMES) assert.match(ipvsSchedulerHelp(), new RegExp(`\\b${name}\\b`));
  assert.match(ipvsSchedulerHelp(), /nftables: wrr as rr; lc, .* as random\./);
});
