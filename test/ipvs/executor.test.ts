// The IPVS executor against recorded tools (no kernel): what a partial sync runs after one endpoint changed,
// iptables-restore skipped when its input did not change, idle real servers deleted rather than drained,
// and a failing ipvsadm line making the next sync read the kernel again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunToolOptions, ToolResult } from '../../src/exec/run-tool.js';
import { IpvsExecutor } from '../../src/dataplane/ipvs/executor.js';
import type { IpvsProgram } from '../../src/dataplane/ipvs/program.js';
import { IpvsRenderer } from '../../src/dataplane/ipvs/renderer.js';
import type { ServicePort } from '../../src/model/types.js';
import { ep, servicePort, snapshot } from './fixtures.js';

interface Call {
  readonly command: string;
  readonly stdin: string;
  readonly timeoutMs: number | undefined;
}

/** Records every tool run; `listing` answers ipvsadm -L lines; a set `restoreError` fails ipvsadm batches. */
function recorder(o: { listing?: string } = {}) {
  const state = {
    calls: [] as Call[],
    restoreError: '',
    runTool: async (cmd: string, args: readonly string[], opts: RunToolOptions = {}): Promise<ToolResult> => {
      const stdin = opts.stdin ?? '';
      state.calls.push({ command: [cmd, ...args].join(' '), stdin, timeoutMs: opts.timeoutMs });
      if (cmd === 'ipvsadm' && args[0] === '--restore' && stdin.startsWith('-L')) return { stdout: o.listing ?? '', stderr: '' };
      if (cmd === 'ipvsadm' && args[0] === '--restore') return { stdout: '', stderr: state.restoreError };
      return { stdout: '', stderr: '' };
    },
  };
  return state;
}

const renderer = new IpvsRenderer({ nodeIPs: ['192.0.2.10'], localAddresses: () => [] });
const web = (backends: string[]): ServicePort => servicePort({ name: 'web', clusterIP: '10.96.0.10', endpoints: backends.map((ip) => ep(ip, 8080)) });
const db = servicePort({ name: 'db', clusterIP: '10.96.0.20', port: 5432, endpoints: [ep('10.244.2.1', 5432)] });
const program = (ports: ServicePort[], full: boolean): IpvsProgram => renderer.render({ snapshot: snapshot(ports), previous: undefined, full });
const executor = (r: ReturnType<typeof recorder>) => new IpvsExecutor({ runTool: r.runTool, iptablesBackend: 'legacy' });
const input = { snapshot: snapshot([]), previous: undefined, full: false };

async function afterFullSync(r: ReturnType<typeof recorder>): Promise<IpvsExecutor> {
  const ex = executor(r);
  await ex.apply(program([web(['10.244.1.1', '10.244.1.2']), db], true), input);
  r.calls.length = 0;
  return ex;
}

test('one endpoint changed: one listing, then one ipvsadm batch of -a and -d for that virtual server only', async () => {
  const r = recorder({ listing: 'TCP  10.96.0.10:80 rr\n  -> 10.244.1.2:8080  Masq 1 0 0\n' });
  const ex = await afterFullSync(r);
  await ex.apply(program([web(['10.244.1.1', '10.244.1.3']), db], false), input);
  assert.deepEqual(r.calls.map((c) => c.command), ['ipvsadm --restore', 'ipvsadm --restore']);
  assert.equal(r.calls[0]?.stdin, '-L -n -t 10.96.0.10:80\n');
  assert.equal(r.calls[1]?.stdin, '-a -t 10.96.0.10:80 -r 10.244.1.3:8080 -m -w 1\n-d -t 10.96.0.10:80 -r 10.244.1.2:8080\n');
  assert.equal(ex.graceful.size, 0);
  assert.equal(ex.lastTimings.toolRuns, 2);
});

test('a removed TCP real server with connections drains at weight 0 instead', async () => {
  const r = recorder({ listing: 'TCP  10.96.0.10:80 rr\n  -> 10.244.1.2:8080  Masq 1 3 1\n' });
  const ex = await afterFullSync(r);
  await ex.apply(program([web(['10.244.1.1']), db], false), input);
  const batch = r.calls.find((c) => c.command === 'ipvsadm --restore' && !c.stdin.startsWith('-L'));
  assert.equal(batch?.stdin, '-e -t 10.96.0.10:80 -r 10.244.1.2:8080 -m -w 0\n');
  assert.equal(ex.graceful.size, 1);
  ex.graceful.stop();
});

test('a partial sync restores iptables rules only when they changed; a full sync always does', async () => {
  const r = recorder();
  const ex = await afterFullSync(r);
  await ex.apply(program([web(['10.244.1.1', '10.244.1.2']), db], false), input);
  assert.equal(r.calls.length, 0, 'nothing changed: no tool runs at all');
  // The first external IP makes KUBE-EXTERNAL-IP non-empty, which adds the rules matching it.
  await ex.apply(program([web(['10.244.1.1', '10.244.1.2']), { ...db, externalIPs: ['198.51.100.7'] }], false), input);
  assert.ok(r.calls.some((c) => c.command.startsWith('iptables-legacy-restore')), r.calls.map((c) => c.command).join('\n'));
  r.calls.length = 0;
  await ex.apply(program([web(['10.244.1.1', '10.244.1.2']), db], true), input);
  assert.ok(r.calls.some((c) => c.command.startsWith('iptables-legacy-restore')));
});

test('full sync: kernel reads first, addresses added and removed in one ip -force -batch', async () => {
  const r = recorder();
  const ex = await afterFullSync(r);
  await ex.apply(program([web(['10.244.1.1'])], true), input);
  const reads = r.calls.slice(0, 5).map((c) => c.command).sort();
  assert.deepEqual(reads, ['ip -o addr show dev kube-ipvs0', 'ipset save', 'iptables-legacy-save -t filter', 'iptables-legacy-save -t nat', 'ipvsadm -Sn']);
  const batches = r.calls.filter((c) => c.command === 'ip -force -batch -');
  assert.equal(batches.length, 1);
});

test('an ipvsadm line that fails (exit 0, message on stderr) fails the apply; the next sync reads the kernel', async () => {
  const r = recorder();
  const ex = await afterFullSync(r);
  r.restoreError = 'Memory allocation problem\n';
  await assert.rejects(ex.apply(program([web(['10.244.1.1', '10.244.1.2', '10.244.1.3']), db], false), input), /Memory allocation problem/);
  r.restoreError = '';
  r.calls.length = 0;
  await ex.apply(program([web(['10.244.1.1', '10.244.1.2', '10.244.1.3']), db], false), input);
  assert.ok(r.calls.some((c) => c.command === 'ipvsadm -Sn'), 'a partial sync after a failure re-reads the kernel');
});

test("a sync's tools may run as long as a large cluster's batches take (ten minutes, not runTool's default minute)", async () => {
  const r = recorder();
  await executor(r).apply(program([web(['10.244.1.1']), db], true), input);
  assert.ok(r.calls.some((c) => c.command === 'ip -force -batch -'), r.calls.map((c) => c.command).join('\n'));
  const short = r.calls.filter((c) => c.stdin !== '' && c.timeoutMs !== 600_000);
  assert.deepEqual(short.map((c) => c.command), []);
});

test('a full sync that reads a kernel missing what was committed logs one repair and counts each reason', async () => {
  const r = recorder();
  const warned: string[] = [];
  const counted: string[] = [];
  const quiet = () => undefined;
  const logger = { info: quiet, error: quiet, v: () => ({ enabled: false, info: quiet }), warn: (msg: string, kv?: Record<string, unknown>) => warned.push(`${msg} ${JSON.stringify(kv)}`) };
  const syncRepairsTotal = { labels: (l: { mode: string; reason: string }) => ({ inc: () => counted.push(`${l.mode}/${l.reason}`) }) } as never;
  const ex = new IpvsExecutor({ runTool: r.runTool, iptablesBackend: 'legacy', logger, syncRepairsTotal });
  await ex.apply(program([web(['10.244.1.1']), db], true), input);
  assert.deepEqual(warned, [], 'the first sync repairs nothing: nothing was committed');
  // The recorder's kernel reads answer nothing: every server, address, set member and jump is gone.
  await ex.apply(program([web(['10.244.1.1']), db], true), input);
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /Repairing proxy rules.*TCP.*10\.96\.0\.10:80/);
  assert.deepEqual(counted.sort(), ['ipvs/missing-elements', 'ipvs/missing-jump', 'ipvs/missing-rules', 'ipvs/missing-servers']);
});

test('preflight proves the kernel scheduler the default runs: random (no IPVS module) is proven as rr', async () => {
  const r = recorder();
  await new IpvsExecutor({ runTool: r.runTool, iptablesBackend: 'legacy', defaultScheduler: 'random' }).preflight();
  const probes = r.calls.map((c) => c.command).filter((c) => c.startsWith('ipvsadm -A'));
  assert.deepEqual(probes, ['ipvsadm -A -t 198.51.100.0:20000 -s rr']);
});
