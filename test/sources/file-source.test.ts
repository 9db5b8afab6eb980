import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, rename, unlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource, type FileSourceOptions } from '../../src/sources/file-source.js';
import type { InputError } from '../../src/model/input-error.js';
import type { KubeObject, ObjectKind } from '../../src/model/objects.js';
import type { Logger } from '../../src/observability/logger.js';
import type { SourceSink } from '../../src/sources/types.js';

type Call =
  | { op: 'replace'; origin: string; names: string[] }
  | { op: 'error'; error: InputError }
  | { op: 'synced'; source: string };

class RecordingSink implements SourceSink {
  readonly calls: Call[] = [];
  replace(origin: string, objects: readonly KubeObject[]): void {
    this.calls.push({ op: 'replace', origin, names: objects.map((o) => o.metadata.name) });
  }
  upsert(): void {
    throw new Error('the file source never upserts');
  }
  remove(_origin: string, _kind: ObjectKind, _ns: string | undefined, _name: string): void {
    throw new Error('the file source never removes single objects');
  }
  reportError(error: InputError): void {
    this.calls.push({ op: 'error', error });
  }
  synced(source: string): void {
    this.calls.push({ op: 'synced', source });
  }
  replaces(origin?: string) {
    return this.calls.filter((c): c is Extract<Call, { op: 'replace' }> => c.op === 'replace' && (!origin || c.origin === origin));
  }
  errors() {
    return this.calls.filter((c): c is Extract<Call, { op: 'error' }> => c.op === 'error');
  }
}

class RecordingLogger implements Logger {
  readonly lines: { level: string; msg: string; kv?: Record<string, unknown> }[] = [];
  info(msg: string, kv?: Record<string, unknown>) {
    this.lines.push({ level: 'info', msg, kv });
  }
  warn(msg: string, kv?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', msg, kv });
  }
  error(msg: string, kv?: Record<string, unknown>) {
    this.lines.push({ level: 'error', msg, kv });
  }
  v(level: number) {
    return {
      enabled: true,
      info: (msg: string, kv?: Record<string, unknown>) => {
        this.lines.push({ level: `v${level}`, msg, kv });
      },
    };
  }
}

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {}\n`;

/** Polls `cond` every 10 ms; fails with `what` after 5 s (generous for slow CI, quick when things work). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !cond(); waited += 10) {
    if (waited > 5000) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withSource(
  opts: Partial<FileSourceOptions>,
  setup: (dir: string) => Promise<string[]>,
  body: (ctx: { dir: string; sink: RecordingSink; logger: RecordingLogger }) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kproxy-filesource-'));
  const logger = new RecordingLogger();
  const sink = new RecordingSink();
  const source = new FileSource({ paths: await setup(dir), logger, pollIntervalMs: 50, debounceMs: 20, ...opts });
  try {
    await source.start(sink);
    await body({ dir, sink, logger });
  } finally {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** withSource on a directory holding a.yaml with the Service "a". */
function withFileA(opts: Partial<FileSourceOptions>, body: Parameters<typeof withSource>[2]): Promise<void> {
  return withSource(
    opts,
    async (dir) => {
      await writeFile(join(dir, 'a.yaml'), service('a'));
      return [dir];
    },
    body,
  );
}

/** Changes z.yaml and waits until it is delivered: files are read in name order, so a.yaml was read too. */
async function afterNextScan(dir: string, sink: RecordingSink): Promise<void> {
  const z = join(dir, 'z.yaml');
  const seen = sink.replaces(z).length;
  await writeFile(z, service(`z${seen}`));
  await until(() => sink.replaces(z).length === seen + 1, 'z.yaml');
}

test('initial sync: one replace per manifest file in name order, then synced; hidden and other files ignored', async () => {
  await withSource(
    {},
    async (dir) => {
      await writeFile(join(dir, 'b.yaml'), service('b'));
      await writeFile(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }));
      await writeFile(join(dir, 'c.yml'), `${service('c1')}---\n${service('c2')}`);
      await writeFile(join(dir, '.hidden.yaml'), service('hidden'));
      await writeFile(join(dir, 'notes.txt'), service('txt'));
      await mkdir(join(dir, 'sub.yaml'));
      return [dir];
    },
    async ({ dir, sink }) => {
      assert.deepEqual(sink.calls, [
        { op: 'replace', origin: join(dir, 'a.json'), names: ['n'] },
        { op: 'replace', origin: join(dir, 'b.yaml'), names: ['b'] },
        { op: 'replace', origin: join(dir, 'c.yml'), names: ['c1', 'c2'] },
        { op: 'synced', source: 'file' },
      ]);
    },
  );
});

test('subdirectories are read too (like kubectl apply -R); hidden directories are not', async () => {
  await withSource(
    {},
    async (dir) => {
      await mkdir(join(dir, 'cluster', 'more'), { recursive: true });
      await mkdir(join(dir, '..data'));
      await writeFile(join(dir, 'top.yaml'), service('top'));
      await writeFile(join(dir, 'cluster', 'a.yaml'), service('a'));
      await writeFile(join(dir, 'cluster', 'more', 'b.yaml'), service('b'));
      await writeFile(join(dir, '..data', 'hidden.yaml'), service('hidden'));
      return [dir];
    },
    async ({ dir, sink }) => {
      assert.deepEqual(sink.calls, [
        { op: 'replace', origin: join(dir, 'cluster', 'a.yaml'), names: ['a'] },
        { op: 'replace', origin: join(dir, 'cluster', 'more', 'b.yaml'), names: ['b'] },
        { op: 'replace', origin: join(dir, 'top.yaml'), names: ['top'] },
        { op: 'synced', source: 'file' },
      ]);
      await writeFile(join(dir, 'cluster', 'more', 'b.yaml'), service('b2'));
      await until(() => sink.calls.some((c) => c.op === 'replace' && c.names?.includes('b2')), 'the nested edit');
    },
  );
});

test('edit, rename-over, new file and delete are each delivered for that file only', async () => {
  await withSource(
    {},
    async (dir) => {
      await writeFile(join(dir, 'a.yaml'), service('a'));
      await writeFile(join(dir, 'b.yaml'), service('b'));
      return [dir];
    },
    async ({ dir, sink }) => {
      const a = join(dir, 'a.yaml');
      await writeFile(a, service('a-edited'));
      await until(() => sink.replaces(a).length === 2, 'the edit');
      assert.deepEqual(sink.replaces(a)[1]!.names, ['a-edited']);

      // How editors save: write a temporary file, rename it over the original.
      await writeFile(join(dir, '.a.yaml.swp'), service('a-renamed'));
      await rename(join(dir, '.a.yaml.swp'), a);
      await until(() => sink.replaces(a).length === 3, 'the rename-over');
      assert.deepEqual(sink.replaces(a)[2]!.names, ['a-renamed']);

      const c = join(dir, 'c.yaml');
      await writeFile(c, service('c'));
      await until(() => sink.replaces(c).length === 1, 'the new file');
      assert.deepEqual(sink.replaces(c)[0]!.names, ['c']);

      await unlink(a);
      await until(() => sink.replaces(a).length === 4, 'the delete');
      assert.deepEqual(sink.replaces(a)[3]!.names, []);
      assert.equal(sink.replaces(join(dir, 'b.yaml')).length, 1, 'b.yaml never changed');
      assert.deepEqual(sink.errors(), []);
    },
  );
});

test('a broken file is reported and keeps its last good objects until it is fixed', async () => {
  await withFileA(
    {},
    async ({ dir, sink, logger }) => {
      const a = join(dir, 'a.yaml');
      await writeFile(a, `${service('a')}---\nmetadata:\n  name: [unclosed\n`);
      await until(() => sink.errors().length > 0, 'the parse error');
      assert.equal(sink.errors()[0]!.error.code, 'KPROXY_PARSE');
      assert.match(sink.errors()[0]!.error.details.origin, new RegExp(`^${a.replace(/[.]/g, '\\.')}:\\d+:\\d+$`));
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /last good/.test(l.msg)));

      await writeFile(a, service('a-fixed'));
      await until(() => sink.replaces(a).length === 2, 'the fixed file');
      // Exactly the initial replace and the fixed one: the broken version never replaced anything.
      assert.deepEqual(
        sink.replaces(a).map((c) => c.names),
        [['a'], ['a-fixed']],
      );
    },
  );
});

test('a touch without a content change delivers nothing', async () => {
  await withFileA(
    {},
    async ({ dir, sink }) => {
      const a = join(dir, 'a.yaml');
      const later = new Date(Date.now() + 60_000);
      await utimes(a, later, later);
      await afterNextScan(dir, sink); // a later change proves a scan ran after the touch
      assert.equal(sink.replaces(a).length, 1);
    },
  );
});

test('the stat poll alone catches changes when no watch event gets through', async () => {
  // A debounce and maximum wait longer than the test mean watch events never lead to a scan: only the poll can.
  await withFileA(
    { debounceMs: 3_600_000, maxWaitMs: 3_600_000, pollIntervalMs: 30 },
    async ({ dir, sink }) => {
      await writeFile(join(dir, 'a.yaml'), service('a2'));
      await until(() => sink.replaces().length === 2, 'the poll');
      assert.deepEqual(sink.replaces()[1]!.names, ['a2']);
    },
  );
});

test('the directory watch alone catches changes, including a rename over a named file', async () => {
  // A poll interval longer than the test means only fs.watch can trigger the scan.
  await withSource(
    { pollIntervalMs: 3_600_000 },
    async (dir) => {
      await writeFile(join(dir, 'only.yaml'), service('x'));
      await writeFile(join(dir, 'other.yaml'), service('other'));
      return [join(dir, 'only.yaml')];
    },
    async ({ dir, sink }) => {
      const only = join(dir, 'only.yaml');
      assert.deepEqual(sink.calls.map((c) => c.op), ['replace', 'synced'], 'a named file is read, its siblings are not');
      await writeFile(join(dir, 'tmp'), service('y'));
      await rename(join(dir, 'tmp'), only);
      await until(() => sink.replaces(only).length === 2, 'the watch event');
      assert.deepEqual(sink.replaces(only)[1]!.names, ['y']);
      await writeFile(only, service('z'));
      await until(() => sink.replaces(only).length === 3, 'a second change on the new inode');
    },
  );
});

test('kinds kproxy does not read are noted once at debug level, not reported as errors', async () => {
  await withSource(
    {},
    async (dir) => {
      const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n';
      await writeFile(join(dir, 'app.yaml'), `${deployment}---\n${deployment.replace('name: d', 'name: e')}---\n${service('s')}`);
      return [dir];
    },
    async ({ sink, logger }) => {
      assert.deepEqual(sink.errors(), []);
      assert.deepEqual(sink.replaces()[0]!.names, ['s']);
      const notes = logger.lines.filter((l) => /do not read|does not read/.test(l.msg));
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.level, 'v4');
      assert.deepEqual(notes[0]!.kv?.kinds, ['apps/v1/Deployment']);
    },
  );
});

test('a path that does not exist fails start() with a message naming it', async () => {
  const missing = join(tmpdir(), `kproxy-missing-${process.pid}-${Date.now()}`);
  const source = new FileSource({ paths: [missing], logger: new RecordingLogger() });
  const sink = new RecordingSink();
  await assert.rejects(source.start(sink), (e: Error) => e.message.includes(missing) && /no such file/.test(e.message));
  assert.deepEqual(sink.calls, [], 'nothing delivered, not even synced');
  await source.stop();
});

test('a torn write (the file truncated, refilled later) keeps the last good objects; removing the file drops them', async () => {
  await withFileA(
    {},
    async ({ dir, sink, logger }) => {
      const a = join(dir, 'a.yaml');
      await writeFile(a, ''); // what a writer that truncates first leaves for a moment
      await afterNextScan(dir, sink);
      await writeFile(a, '# only a comment so far\n');
      await afterNextScan(dir, sink);
      assert.deepEqual(
        sink.replaces(a).map((c) => c.names),
        [['a']],
        'an empty file never replaced the objects it had',
      );
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /empty.*last good/.test(l.msg)), 'the operator is told');

      await writeFile(a, service('a2'));
      await until(() => sink.replaces(a).length === 2, 'the refilled file');
      assert.deepEqual(sink.replaces(a)[1]!.names, ['a2']);
      await unlink(a);
      await until(() => sink.replaces(a).length === 3, 'the removal');
      assert.deepEqual(sink.replaces(a)[2]!.names, []);
    },
  );
});

test('a file rewritten faster than the quiet period is still read while the rewrites go on', async () => {
  // Only watch events can trigger a scan here (no poll); each rewrite comes before the 100 ms quiet period.
  await withSource(
    { debounceMs: 100, pollIntervalMs: 3_600_000 },
    async (dir) => {
      await writeFile(join(dir, 'a.yaml'), service('v0'));
      return [dir];
    },
    async ({ dir, sink }) => {
      const a = join(dir, 'a.yaml');
      const start = Date.now();
      for (let i = 1; Date.now() - start < 2000; i++) {
        // Whole-file replacement, so every read sees a complete file.
        await writeFile(join(dir, '.a.tmp'), service(`v${i}`));
        await rename(join(dir, '.a.tmp'), a);
        await new Promise((r) => setTimeout(r, 20));
      }
      const duringChurn = sink.replaces(a).length - 1;
      assert.ok(duringChurn >= 2, `read ${duringChurn} times in 2 s of rewrites every 20 ms`);
    },
  );
});

test('a binary file costs one short error and keeps the last good objects', async () => {
  await withFileA(
    {},
    async ({ dir, sink }) => {
      const a = join(dir, 'a.yaml');
      const bytes = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251; // NUL bytes among printable ones
      await writeFile(a, bytes);
      await afterNextScan(dir, sink);
      assert.equal(sink.errors().length, 1, sink.errors().map((e) => e.error.message.slice(0, 200)).join('\n'));
      const message = sink.errors()[0]!.error.message;
      assert.ok(message.length < 300, `a ${message.length}-character message`);
      assert.match(message, /binary/);
      assert.deepEqual(sink.replaces(a).map((c) => c.names), [['a']]);
    },
  );
});

test('a file over the size limit is refused with one error naming the limit, and keeps the last good objects', async () => {
  await withFileA(
    {},
    async ({ dir, sink }) => {
      const a = join(dir, 'a.yaml');
      await writeFile(a, `${service('a-big')}${'# padding padding padding padding padding padding\n'.repeat(80_000)}`);
      await afterNextScan(dir, sink);
      assert.equal(sink.errors().length, 1);
      assert.match(sink.errors()[0]!.error.message, /bytes.*more than.*MiB/);
      assert.deepEqual(sink.replaces(a).map((c) => c.names), [['a']]);
    },
  );
});

test('a file broken from the start says that nothing of it is used (it has no last good objects)', async () => {
  await withSource(
    {},
    async (dir) => {
      await writeFile(join(dir, 'a.yaml'), 'metadata:\n  name: [unclosed\n');
      return [dir];
    },
    async ({ sink, logger }) => {
      assert.ok(sink.errors().length > 0);
      const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
      assert.deepEqual(warnings, ['Manifest file has errors; none of its objects are used until it is fixed']);
    },
  );
});
