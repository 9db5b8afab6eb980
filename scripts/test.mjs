#!/usr/bin/env node
// `npm test`: everything a fresh machine needs, then every check. As root it installs the Debian packages
// the kernel tests use (apt-get) when they are missing; it installs npm packages with `npm ci` when
// node_modules is missing or older than the lock file; then type-checks, builds, checks import cycles and
// runs every test with node's test runner. Tests that need root skip themselves with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTestFiles, checkImportCycles } from './test-files.mjs';
import { prepare, run as step } from './prepare.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

// Debian packages and the command that proves each is there.
const DEBIAN = [
  ['iptables', 'iptables-restore'],
  ['nftables', 'nft'],
  ['ipset', 'ipset'],
  ['conntrack', 'conntrack'],
  ['iproute2', 'ip'],
  ['kmod', 'modprobe'],
  ['nginx-light', 'nginx'],
  ['apache2-utils', 'ab'],
  ['user-mode-linux', 'linux.uml'],
  ['ipvsadm', 'ipvsadm'],
  ['haproxy', 'haproxy'],
  ['wrk', 'wrk'],
];

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status === 0;
}

const isRoot = process.getuid?.() === 0;
const missing = DEBIAN.filter(([, cmd]) => !have(cmd)).map(([pkg]) => pkg);
if (missing.length > 0 && isRoot) {
  step('apt-get update', 'apt-get', ['update', '-qq']);
  step(`apt-get install ${missing.join(' ')}`, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
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
