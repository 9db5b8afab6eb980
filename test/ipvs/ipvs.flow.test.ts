// The IPVS mode against a real IPVS: boots user-mode Linux once and runs, inside it, the whole flow suite
// in IPVS mode and the IPVS kernel tests (schedulers, graceful termination, issue 72236); each inner test
// is reported here as its own result. Skips with the reason when UML cannot run here (not root, package
// missing). Takes minutes: the UML kernel has one CPU and runs several times slower than the host.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { ControlPlane, controlPlaneRequirements } from '../kube/control-plane.js';
import { UML_API_PORT } from '../kube/real-apiserver-suite.js';
import { runInUml, umlRequirements } from '../../src/uml/uml-vm.js';
import { parseTap } from './tap-results.js';

const inner = fileURLToPath(new URL('./in-uml/', import.meta.url));

test('IPVS mode inside user-mode Linux', { timeout: 45 * 60_000 }, async (t) => {
  const reason = umlRequirements();
  if (reason) {
    t.skip(reason);
    return;
  }
  const files = readdirSync(inner).filter((f) => f.endsWith('.uml.js')).sort().map((f) => `${inner}${f}`);
  // The real API server runs inside the guest, from binaries and certificates prepared here on the host.
  const kubeSkip = controlPlaneRequirements();
  const prepared = kubeSkip ? undefined : await ControlPlane.prepare({ apiserverPort: UML_API_PORT, etcdPort: UML_API_PORT - 5000 });
  t.after(() => prepared && rmSync(prepared, { recursive: true, force: true }));
  const run = await runInUml({
    commands: [`${process.execPath} --test --test-reporter=tap --test-concurrency=1 ${files.join(' ')}`],
    timeoutMs: 40 * 60_000,
    // The guest's root is the host's: the flow suite inside appends its tally to the same summary file.
    env: {
      ...(process.env['KPROXY_FLOW_SUMMARY'] ? { KPROXY_FLOW_SUMMARY: process.env['KPROXY_FLOW_SUMMARY'] } : {}),
      ...(prepared ? { KPROXY_KUBE_PREPARED: prepared } : {}),
      ...(process.env['KPROXY_KUBE_DIR'] ? { KPROXY_KUBE_DIR: process.env['KPROXY_KUBE_DIR'] } : {}),
    },
    memoryMB: 2048,
    // Minutes pass inside the guest: say which inner tests finished, so CI never sits silent.
    onOutput: (text) => {
      for (const m of text.matchAll(/^\s*(not ok|ok) \d+ - (.*)$/gm)) process.stderr.write(`[ipvs in UML] ${m[1]} ${m[2]}\n`);
    },
  });
  const results = parseTap(run.output);
  if (run.timedOut || results.length === 0) {
    assert.fail(`user-mode Linux ${run.timedOut ? 'timed out' : 'produced no test results'}:\n${run.output.slice(-6000)}\n--- console ---\n${run.console.slice(-3000)}`);
  }
  for (const r of results) {
    await t.test(r.name, (st) => {
      // Inside user-mode Linux everything these tests need is there by construction: a skip there means
      // the guest is broken (say, its modules did not load), not that this machine lacks something.
      // The one allowed exception: no shared kube folder here, so no real API server in there either.
      if (r.skip && kubeSkip && r.skip.includes('prepared no control plane')) return st.skip(kubeSkip);
      if (r.skip) assert.fail(`skipped inside user-mode Linux, where it must run: ${r.skip}`);
      if (!r.ok) assert.fail(r.details);
    });
  }
});
