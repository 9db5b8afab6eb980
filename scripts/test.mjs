#!/usr/bin/env node
// `npm test`: everything a fresh machine needs, then every check. As root it installs the Debian packages
// the kernel tests use when they are missing (debian-packages.mjs: apt-get, without leaving services
// enabled); it installs npm packages with `npm ci` when node_modules is missing or older than the lock
// file; then type-checks, builds, checks import cycles and runs every test with node's test runner.
// Tests that need root skip themselves with the reason.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTestFiles, checkImportCycles } from './test-files.mjs';
import { installDebianPackages, missingPackages } from './debian-packages.mjs';
import { prepare, run as step } from './prepare.mjs';

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

const only = process.argv.slice(2);
const files = listTestFiles(join(root, 'dist', 'test')).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
step(`node --test (${files.length} files)`, process.execPath, ['--test', '--test-reporter=spec', ...files]);
