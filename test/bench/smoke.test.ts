// The one end-to-end run: `kproxy bench` with the smoke profile (tiny sizes) as root, every experiment but
// upstream (upstream-smoke.test.ts runs that one, with its control plane), the host's modes; checks that
// results.json and report.html come out complete and that nothing is left behind. Not a timed test: only
// completeness is asserted.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { benchLabRequirements } from '../../src/bench/bench-lab.js';
import { runBench } from '../../src/bench/bench-command.js';
import type { BenchResults } from '../../src/bench/results.js';

function missingTools(): string[] {
  return ['ab', 'wrk', 'nginx', 'haproxy', 'nft', 'iptables'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
}

test('kproxy bench --profile smoke writes complete results.json, report.html and report.md', { timeout: 180_000 }, async (t) => {
  const why = benchLabRequirements() ?? (missingTools().length ? `needs ${missingTools().join(', ')}` : undefined);
  if (why) return t.skip(why);
  const out = mkdtempSync(join(tmpdir(), 'kpt-bench-smoke-'));
  try {
    let printed = '';
    const code = await runBench(['--profile', 'smoke', '--experiments', 'latency,schedulers,scale,sync,userspace', '--modes', 'userspace,nftables', '--out', out], (s) => (printed += s));
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    const failed = r.cases.filter((c) => c.error).map((c) => `${c.experiment}/${c.mode}/${c.variant}: ${c.error}`);
    assert.deepEqual(failed, [], printed.slice(-3000));
    assert.equal(code, 0);
    const has = (e: string, mode: string) => r.cases.some((c) => c.experiment === e && c.mode === mode);
    for (const [e, mode] of [['latency', 'userspace'], ['latency', 'nftables'], ['schedulers', 'nftables'], ['scale', 'nftables'], ['sync', 'nftables'], ['userspace', 'userspace']]) {
      assert.ok(has(e!, mode!), `no ${e} case for ${mode}`);
    }
    assert.deepEqual(r.cases.filter((c) => c.experiment === 'userspace').map((c) => c.variant), ['kproxy userspace', 'haproxy (tcp)', 'direct']);
    assert.ok(r.system.kernel && r.system.cpuCount > 0 && r.system.kproxyVersion && r.system.tools.ab !== undefined);
    assert.ok(r.finishedAt);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const e of ['latency', 'schedulers', 'scale', 'sync', 'userspace']) assert.match(html, new RegExp(`<section id="${e}">`));
    assert.match(html, /<\/html>\s*$/);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const e of ['latency', 'schedulers', 'scale', 'sync', 'userspace']) assert.match(md, new RegExp(`## ${e}\\n[\\s\\S]*!\\[${e}\\]\\(chart-${e}\\.svg\\)`));
    assert.match(readFileSync(join(out, 'chart-scale.svg'), 'utf8'), /^<svg /);
    assert.match(printed, /== scale/);
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(left, /kpt-b[0-9a-f]{6}-/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
