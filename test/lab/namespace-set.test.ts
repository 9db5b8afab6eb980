import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { NamespaceSet, namespaceRequirements } from '../../src/lab/namespace-set.js';

type Place = 'a' | 'b';
const PLACES: readonly Place[] = ['a', 'b'];

function skipUnlessRoot(t: TestContext): boolean {
  const why = namespaceRequirements();
  if (why) t.skip(why);
  return why !== undefined;
}

function netnsList(): string {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
}

/** The kernel's name for a namespace file's network namespace, as /proc/PID/ns/net shows it. */
function nsIdentity(name: string): string {
  return `net:[${statSync(`/run/netns/${name}`).ino}]`;
}

/** Alive means running: an exited process may linger as a zombie where nothing reaps orphans. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
  });
}

test('names are unique, prefixed per place, and every namespace exists with loopback up', async (t) => {
  if (skipUnlessRoot(t)) return;
  const [one, two] = await Promise.all([NamespaceSet.create(PLACES, 'kpt-t'), NamespaceSet.create(PLACES, 'kpt-t')]);
  try {
    const names = [...Object.values(one.ns), ...Object.values(two.ns)];
    assert.equal(new Set(names).size, 4);
    assert.match(one.ns.a, /^kpt-t[0-9a-f]{6}-a$/);
    assert.equal(one.ns.b, one.ns.a.replace(/-a$/, '-b'));
    for (const n of names) assert.ok(netnsList().includes(n), `${n} missing`);
    const { stdout } = await one.exec('b', 'ip', ['-o', 'link', 'show', 'lo']);
    assert.match(stdout, /[<,]UP[,>]/);
  } finally {
    await Promise.all([one.destroy(), two.destroy()]);
  }
});

test('exec and spawn run in their namespace; destroy stops children and removes the namespaces', async (t) => {
  if (skipUnlessRoot(t)) return;
  const set = await NamespaceSet.create(PLACES, 'kpt-t');
  const names = Object.values(set.ns);
  let child: ChildProcess | undefined;
  try {
    assert.equal((await set.exec('a', 'readlink', ['/proc/self/ns/net'])).stdout.trim(), nsIdentity(set.ns.a));
    // ip netns exec replaces itself with the command, so once the shell speaks the pid is the shell's.
    child = set.spawn('b', 'sh', ['-c', 'echo up; sleep 60']);
    await firstLine(child);
    assert.equal(readlinkSync(`/proc/${child.pid}/ns/net`), nsIdentity(set.ns.b));
  } finally {
    await set.destroy();
  }
  assert.ok(child.exitCode !== null || child.signalCode !== null, 'child still running');
  for (const n of names) assert.ok(!netnsList().includes(n), `${n} still exists`);
});

test('a child in its own process group takes what it started with it', async (t) => {
  if (skipUnlessRoot(t)) return;
  const set = await NamespaceSet.create(PLACES, 'kpt-t');
  let grandchild = 0;
  try {
    const shell = set.spawn('a', 'sh', ['-c', 'sleep 60 & echo $!; wait'], { ownGroup: true });
    grandchild = Number(await firstLine(shell));
    assert.ok(isRunning(grandchild));
  } finally {
    await set.destroy();
  }
  assert.equal(isRunning(grandchild), false, `grandchild ${grandchild} survived`);
});

test('spawnReady waits for a marker split over chunks and reports an early exit with its stderr', async (t) => {
  if (skipUnlessRoot(t)) return;
  const set = await NamespaceSet.create(PLACES, 'kpt-t');
  try {
    const script = "process.stdout.write('go-'); setTimeout(() => process.stdout.write('now\\n'), 50); setInterval(() => {}, 1000)";
    const child = await set.spawnReady('a', process.execPath, ['-e', script], { marker: 'go-now' });
    assert.equal(child.exitCode, null);
    await assert.rejects(set.spawnReady('b', 'sh', ['-c', 'echo broken >&2; exit 3']), /exited \(3\) before it printed 'ready': broken/);
  } finally {
    await set.destroy();
  }
});

test('destroySync kills children, deletes the namespaces and runs onDestroy undos', async (t) => {
  if (skipUnlessRoot(t)) return;
  const set = await NamespaceSet.create(PLACES, 'kpt-t');
  const names = Object.values(set.ns);
  const child = set.spawn('a', 'sleep', ['60']);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let undone = 0;
  set.onDestroy(() => undone++);
  set.destroySync();
  set.destroySync();
  for (const n of names) assert.ok(!netnsList().includes(n), `${n} still exists`);
  assert.equal(undone, 1);
  await exited;
});

test('a failing wire step removes the half-built set and rethrows', async (t) => {
  if (skipUnlessRoot(t)) return;
  let names: string[] = [];
  const wire = async (set: NamespaceSet<Place>): Promise<void> => {
    names = Object.values(set.ns);
    await set.exec('a', 'ip', ['link', 'set', 'no-such-link', 'up']);
  };
  await assert.rejects(NamespaceSet.create(PLACES, 'kpt-t', wire), /no-such-link/);
  assert.equal(names.length, 2);
  for (const n of names) assert.ok(!netnsList().includes(n), `${n} still exists`);
});

test('SIGTERM to a process holding a set removes its namespaces', async (t) => {
  if (skipUnlessRoot(t)) return;
  const module = new URL('../../src/lab/namespace-set.js', import.meta.url).href;
  const script = `const { NamespaceSet } = await import(${JSON.stringify(module)});
    const set = await NamespaceSet.create(['a'], 'kpt-t');
    set.spawn('a', 'sleep', ['60']);
    console.log(set.ns.a);
    setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const name = await firstLine(holder);
  assert.ok(netnsList().includes(name));
  const exit = new Promise<number | null>((resolve) => holder.once('exit', resolve));
  holder.kill('SIGTERM');
  assert.equal(await exit, 143);
  assert.ok(!netnsList().includes(name), `${name} still exists`);
});
