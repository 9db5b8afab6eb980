// Install npm packages (npm ci) when node_modules is missing or older than the lock file, then build.
// Shared by `npm start` and `npm test` so both work on a fresh clone. `npm test` always builds clean, so a
// test deleted from the sources cannot linger in dist/; `npm start` builds only when a source changed
// since the last build (a full build takes half a minute on a small machine), and then builds clean too.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the build reads: a change to any of these (or a file added or removed in them) means rebuild. */
const BUILD_INPUTS = ['src', 'test', 'bench', 'tsconfig.json', 'package.json', 'package-lock.json'];
/** Written after a successful build, with the time the build started. */
const BUILD_STAMP = join('dist', '.built-from-sources');

export function run(title, cmd, args, opts = {}) {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

export function prepare(root, { onlyWhenChanged = false } = {}) {
  const stamp = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs) {
    run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  }
  if (onlyWhenChanged && buildIsCurrent(root)) {
    console.log('\n== build: dist/ is up to date with the sources');
    return;
  }
  const started = new Date();
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run('build', 'npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root });
  // The start time, not the end, so a source saved during the build triggers the next one; less a second,
  // as file times come from a coarser clock than Date (at worst one build too many, never one too few).
  const builtFrom = new Date(started.getTime() - 1000);
  writeFileSync(join(root, BUILD_STAMP), '');
  utimesSync(join(root, BUILD_STAMP), builtFrom, builtFrom);
}

/** True when dist/ was built after the last change to any build input. */
export function buildIsCurrent(root) {
  const stamp = join(root, BUILD_STAMP);
  if (!existsSync(stamp)) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return BUILD_INPUTS.every((input) => newestChange(join(root, input)) <= builtAt);
}

/** The newest mtime of `path` and everything below it (a directory's mtime changes when an entry goes). */
function newestChange(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, name)));
  return newest;
}
