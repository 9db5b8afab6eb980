// `kproxy bench --experiments upstream` end to end at a tiny size (the smoke profile: 20 Services), as root
// with the shared kube folder: both proxies measured in both kernel modes, ratios in results.json, the
// section in both reports, IPVS skipped with its reason, and no namespace left behind. Not a timed test.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { benchLabRequirements } from '../../src/bench/bench-lab.js';
import { runBench } from '../../src/bench/bench-command.js';
import type { BenchResults } from '../../src/bench/results.js';
import { upstreamRequirements } from '../../src/bench/upstream-experiment.js';

const namespaces = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('kpt-u'));

test('kproxy bench --experiments upstream at 20 Services: both proxies, both modes, ratios and reports', { timeout: 150_000 }, async (t) => {
  const missing = ['nft', 'iptables-save'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
  const why = benchLabRequirements() ?? upstreamRequirements({}) ?? (missing.length ? `needs ${missing.join(', ')}` : undefined);
  if (why) return t.skip(why);
  const before = new Set(namespaces());
  const out = mkdtempSync(join(tmpdir(), 'kpt-bench-upstream-'));
  try {
    let printed = '';
    const code = await runBench(['--profile', 'smoke', '--experiments', 'upstream', '--modes', 'iptables,nftables,ipvs', '--out', out], (s) => (printed += s));
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    assert.deepEqual(r.cases.filter((c) => c.error).map((c) => `${c.mode}/${c.variant}: ${c.error}`), [], printed.slice(-3000));
    assert.equal(code, 0);
    for (const mode of ['iptables', 'nftables']) {
      const c = r.cases.find((x) => x.experiment === 'upstream' && x.mode === mode && x.variant === '20');
      assert.ok(c, `no ${mode} case`);
      for (const m of ['firstSyncMsRatio', 'changeP99MsRatio', 'peakRssMBRatio', 'cpuSecondsRatio', 'upstreamChurnP99Ms', 'kproxyChurnP99Ms']) {
        assert.ok(Number.isFinite(c.metrics[m]) && c.metrics[m]! > 0, `${mode}: ${m} = ${c.metrics[m]}`);
      }
      assert.equal(c.note, undefined, `${mode}: ${c.note}`);
    }
    assert.match(r.cases.find((c) => c.mode === 'ipvs')?.note ?? '', /^skipped: .*user-mode Linux/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<section id="upstream">/);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /## upstream[\s\S]*first sync ratio/);
    assert.deepEqual(namespaces().filter((n) => !before.has(n)), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
