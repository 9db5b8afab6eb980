#!/usr/bin/env node
// `npm test`: everything a fresh machine needs, then every check. As root it installs the Debian packages
// the kernel tests use when they are missing (debian-packages.mjs: apt-get, without leaving services
// enabled); it installs npm packages with `npm ci` when node_modules is missing or older than the lock
// file; then type-checks, builds, checks import cycles and runs every test with node's test runner.
// Tests that need root skip themselves with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTestFiles, checkImportCycles } from './test-files.mjs';
import { installDebianPackages, missingPackages } from './debian-packages.mjs';
import { prepare, run as step } from './prepare.mjs';
import { asOrdinaryUser, node24 } from './node24.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const isRoot = process.getuid?.() === 0;
const missing = missingPackages();
if (missing.length > 0 && isRoot) {
  try {
    installDebianPackages(missing);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
} else if (missing.length > 0) {
  console.log(`not root: Debian packages ${missing.join(', ')} are missing; the tests that need them will skip`);
}

prepare(root);
console.log('\n== import cycles');
const cycles = checkImportCycles(join(root, 'src'));
if (cycles.length > 0) {
  for (const c of cycles) console.error(`import cycle: ${c.join(' -> ')}`);
  process.exit(1);
}
console.log('none');

/** One line per flow suite: which proxy and mode, how many scenarios ran, passed, failed, skipped. */
function printFlowSummary(file) {
  if (!existsSync(file)) return;
  console.log('\n== flow scenarios per mode');
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const t = JSON.parse(line);
    console.log(`${t.label.padEnd(28)} ran ${t.ran}, passed ${t.passed}, failed ${t.failed}, skipped ${t.skipped}`);
  }
}

const only = process.argv.slice(2);
const files = listTestFiles(join(root, 'dist', 'test')).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
// The flow suites append one tally a line here; printed per mode at the end (also when a test failed).
const summary = join(root, 'dist', 'flow-summary.jsonl');
rmSync(summary, { force: true });
console.log(`\n== node --test (${files.length} files)`);
const tests = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, KPROXY_FLOW_SUMMARY: summary },
});
printFlowSummary(summary);
if (tests.status !== 0) {
  console.error(`node --test (${files.length} files) failed (exit ${tests.status ?? tests.signal})`);
  process.exit(tests.status || 1);
}

// The same tests under Node 24 LTS, as an ordinary user: the suites that need no root (a full run only).
if (only.length === 0) {
  const runtime = node24(root);
  const run = runtime.bin && asOrdinaryUser(runtime.bin, ['--test', '--test-reporter=spec', ...files], join(root, 'dist', 'test'));
  if (runtime.skip) console.log(`\n== Node 24: skipped, ${runtime.skip}`);
  else if (!run) console.log('\n== Node 24: skipped, an ordinary user (uid 65534) cannot read this checkout');
  else step(`node --test under Node ${runtime.version}, as ${run.who} (${files.length} files; root-only tests skip)`, run.cmd, run.args);
}
