// Install npm packages (npm ci) when node_modules is missing or older than the lock file, then build.
// Shared by `npm start` and `npm test` so both work on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function run(title, cmd, args, opts = {}) {
  console.log(`\n== ${title}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

export function prepare(root) {
  const stamp = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs) {
    run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  }
  // A clean build, so a test deleted from the sources cannot linger in dist/.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  run('build', 'npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root });
}
