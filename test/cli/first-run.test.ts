// What an operator meets on the first runs of the command itself: a wrong --from path, a broken manifest,
// `render` on it, and `cleanup` without root. Each runs the built CLI as a child process, as an operator does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const BROKEN = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n  y: }\n';

/** Runs the CLI; a run that has not ended after 15 s is killed and shows as status null. */
function kproxy(args: string[], opts: { uid?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const [cmd, prefix] = opts.uid === undefined ? [process.execPath, []] : ['setpriv', [`--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', process.execPath]];
  const r = spawnSync(cmd, [...prefix, CLI, ...args], { encoding: 'utf8', timeout: 15_000, cwd: tmpdir() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Why the CLI cannot be run as uid 65534 (nobody) here, or undefined when it can. */
function cannotRunAsNobody(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run the command as an ordinary user (setpriv)';
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, '--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return `cannot run the CLI as uid 65534 here: ${probe.error?.message ?? probe.stderr.trim()}`;
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function withBrokenManifest(body: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kproxy-first-run-'));
  try {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, BROKEN);
    await body(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('--from a path that does not exist exits 1 with one clear line, no stack trace, file or directory alike', async () => {
  for (const missing of [join(tmpdir(), `kproxy-missing-${process.pid}`), join(tmpdir(), `kproxy-missing-${process.pid}.yaml`)]) {
    const ports = [await freePort(), await freePort()];
    const r = kproxy([`--from=${missing}`, '--proxy-mode=userspace', `--healthz-bind-address=127.0.0.1:${ports[0]}`, `--metrics-bind-address=127.0.0.1:${ports[1]}`]);
    assert.equal(r.status, 1, `exit status (null: still running after 15 s)\n${r.stderr}`);
    assert.ok(r.stderr.includes(missing), `names the path:\n${r.stderr}`);
    assert.match(r.stderr, /cannot be read: no such file or directory/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no JavaScript stack trace');
  }
});

test('--from a directory or file the user cannot read exits 1 saying so', async (t) => {
  const why = cannotRunAsNobody();
  if (why) return t.skip(why);
  await withBrokenManifest(async (file) => {
    const dir = dirname(file);
    await chmod(dir, 0o700); // root's own: uid 65534 can neither list it nor reach the file in it
    for (const path of [dir, file]) {
      const r = kproxy([`--from=${path}`, '--proxy-mode=userspace', '--healthz-bind-address=', '--metrics-bind-address='], { uid: 65534 });
      assert.equal(r.status, 1, `exit status (null: still running after 15 s)\n${r.stderr}`);
      assert.match(r.stderr, /cannot be read: permission denied/);
    }
  });
});

test('errors in a manifest read at start-up name file:line:column, as live edits do', async () => {
  await withBrokenManifest(async (file) => {
    const r = kproxy([`--from=${file}`, '--init-only', '--proxy-mode=userspace', '--healthz-bind-address=', '--metrics-bind-address=']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:5:3: `), r.stderr);
  });
});

test('render on a broken manifest says nothing of it is used (it has no last good objects) and exits 1', async () => {
  await withBrokenManifest(async (file) => {
    const r = kproxy(['render', '--proxy-mode=userspace', `--from=${file}`]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /none of its objects are used/);
    assert.doesNotMatch(r.stderr, /last good/);
    assert.match(r.stderr, /bad\.yaml:5:3: /);
  });
});

test('cleanup as an ordinary user says it needs root and exits 1 without claiming success', (t) => {
  const why = cannotRunAsNobody();
  if (why) return t.skip(why);
  const r = kproxy(['cleanup'], { uid: 65534 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /needs root/);
  assert.doesNotMatch(r.stderr, /Cleaned up/);
});
