// `npm start` and `npm test` on a fresh machine: the Debian packages they install (and that the README
// lists), the services that install must not leave behind, the build `npm start` skips when nothing
// changed, and the quick start's client that needs nothing but Node.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { projectRoot } from '../sources/project-root.js';

const root = projectRoot();
const run = promisify(execFile);
const load = (path: string) => import(pathToFileURL(join(root, path)).href);

test("the README's Debian package list is exactly the one npm test installs", async () => {
  const { DEBIAN } = (await load('scripts/debian-packages.mjs')) as { DEBIAN: [string, string][] };
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const listed = /Debian\s+packages the kernel tests need \(`([^`]+)`\)/.exec(readme)?.[1];
  assert.ok(listed, 'README.md names the packages as `a b c`');
  assert.deepEqual(listed.split(/\s+/).sort(), DEBIAN.map(([pkg]) => pkg).sort());
});

/** A machine for installDebianPackages: records commands and files, enables `newUnits` on apt-get install. */
function fakeSystem(opts: { policy?: boolean; systemd: boolean; newUnits: string[]; aptFails?: boolean }) {
  const files = new Set(opts.policy ? ['/usr/sbin/policy-rc.d'] : []);
  const enabled = new Set(['ssh.service']);
  const log: string[] = [];
  return {
    log,
    files,
    run(_title: string, cmd: string, args: string[]) {
      log.push(`${cmd} ${args.join(' ')}${files.has('/usr/sbin/policy-rc.d') ? ' [policy-rc.d]' : ''}`);
      if (cmd === 'apt-get' && args[0] === 'install') {
        if (opts.aptFails) throw new Error('apt-get install failed (exit 100)');
        for (const u of opts.newUnits) enabled.add(u);
      }
    },
    has: () => false,
    exists: (path: string) => files.has(path),
    writeExecutable: (path: string) => void files.add(path),
    remove: (path: string) => void files.delete(path),
    enabledServices: () => new Set(enabled),
    systemdRunning: () => opts.systemd,
  };
}

test('npm test installs packages with no service starting, then disables (and stops) the services the install enabled', async () => {
  const { installDebianPackages } = await load('scripts/debian-packages.mjs');
  const sys = fakeSystem({ systemd: true, newUnits: ['nginx.service', 'haproxy.service'] });
  assert.deepEqual(installDebianPackages(['nginx-light', 'haproxy'], sys), ['nginx.service', 'haproxy.service']);
  assert.deepEqual(sys.log, [
    'apt-get update -qq [policy-rc.d]',
    'apt-get install -y -qq --no-install-recommends nginx-light haproxy [policy-rc.d]',
    'systemctl disable --now nginx.service haproxy.service',
  ]);
  assert.deepEqual([...sys.files], [], 'its own policy-rc.d is gone afterwards');

  // Without systemd running (a container), the units are disabled for the next boot; a machine's own
  // policy-rc.d is left as it was.
  const container = fakeSystem({ systemd: false, policy: true, newUnits: ['nginx.service'] });
  installDebianPackages(['nginx-light'], container);
  assert.equal(container.log.at(-1), 'systemctl disable nginx.service [policy-rc.d]');
  assert.deepEqual([...container.files], ['/usr/sbin/policy-rc.d']);

  const failing = fakeSystem({ systemd: true, newUnits: [], aptFails: true });
  assert.throws(() => installDebianPackages(['wrk'], failing), /apt-get install failed/);
  assert.deepEqual([...failing.files], [], 'policy-rc.d is removed when the install fails too');
});

test('npm start builds only when a build input changed since the last build', async () => {
  const { buildIsCurrent } = (await load('scripts/prepare.mjs')) as { buildIsCurrent: (root: string) => boolean };
  const dir = await mkdtemp(join(tmpdir(), 'kproxy-prepare-'));
  // Explicit times: file times come from a coarse clock, so two writes in a row may share one.
  const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);
  const stampAt = async (time: Date) => {
    await writeFile(join(dir, 'dist', '.built-from-sources'), '');
    await utimes(join(dir, 'dist', '.built-from-sources'), time, time);
  };
  try {
    await mkdir(join(dir, 'src', 'sub'), { recursive: true });
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'src', 'sub', 'a.ts'), 'export {};\n');
    await writeFile(join(dir, 'tsconfig.json'), '{}\n');
    assert.equal(buildIsCurrent(dir), false, 'never built');
    for (const p of ['src/sub/a.ts', 'src/sub', 'src', 'tsconfig.json']) await utimes(join(dir, p), at(60), at(60));
    await stampAt(at(30));
    assert.equal(buildIsCurrent(dir), true, 'built after the last change');
    await writeFile(join(dir, 'src', 'sub', 'a.ts'), 'export const x = 1;\n');
    assert.equal(buildIsCurrent(dir), false, 'a source edited');
    await utimes(join(dir, 'src', 'sub', 'a.ts'), at(20), at(20));
    await stampAt(at(10));
    assert.equal(buildIsCurrent(dir), true);
    await unlink(join(dir, 'src', 'sub', 'a.ts'));
    assert.equal(buildIsCurrent(dir), false, 'a source removed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the quick start needs no nc: examples/ask.mjs asks a UDP Service with Node alone', async (t) => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const quickstart = await readFile(join(root, 'scripts', 'quickstart.mjs'), 'utf8');
  for (const [name, text] of [['README.md', readme], ['scripts/quickstart.mjs', quickstart]]) {
    assert.doesNotMatch(text!, /\bnc -u\b|\| nc\b/, `${name} sends people to nc`);
  }
  const echo = createSocket('udp4');
  t.after(() => echo.close());
  echo.on('message', (msg, from) => echo.send(`echo got: ${msg}`, from.port, from.address));
  const port = await new Promise<number>((r) => echo.bind(0, '127.0.0.1', () => r(echo.address().port)));
  // Asynchronously: the echo server answers from this process's event loop.
  const { stdout } = await run(process.execPath, [join(root, 'examples', 'ask.mjs'), `udp://127.0.0.1:${port}`, 'hello'], { timeout: 10_000 });
  assert.equal(stdout, 'echo got: hello\n');
});
