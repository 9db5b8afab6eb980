// The layout's rules, checked on the TypeScript sources (type-only imports count: a cycle of types still
// ties two modules together). docs/architecture.md draws the same arrows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../sources/project-root.js';

const root = projectRoot();

/** Every .ts file under `dir` with the project-relative paths of the project files it imports. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) =>
          relative(root, resolve(dirname(p), m[1]!.replace(/\.js$/, '.ts'))),
        );
        graph.set(relative(root, p), targets);
      }
    }
  };
  walk(join(root, dir));
  return graph;
}

const MODES = ['userspace', 'iptables', 'nftables', 'ipvs'];
const modeOf = (path: string): string | undefined => MODES.find((m) => path.startsWith(`src/dataplane/${m}/`));
const folderOf = (path: string): string => path.split('/')[1] ?? '';

/** Each rule: a name and the imports (from → to) it forbids. */
const RULES: { name: string; forbids(from: string, to: string): boolean }[] = [
  {
    name: 'no mode imports another mode',
    forbids: (from, to) => modeOf(from) !== undefined && modeOf(to) !== undefined && modeOf(from) !== modeOf(to),
  },
  {
    name: 'the model imports nothing outside src/model',
    forbids: (from, to) => from.startsWith('src/model/') && !to.startsWith('src/model/'),
  },
  {
    name: 'product and benchmark code never imports tests',
    forbids: (from, to) => !from.startsWith('test/') && to.startsWith('test/'),
  },
  {
    // The toolkits below the modes serve every mode; an arrow back up would make them one mode's again.
    name: 'shared toolkits import no mode, Proxier, source or CLI',
    forbids: (from, to) =>
      ['netfilter', 'host', 'health', 'observability', 'runner', 'schedulers', 'config', 'exec', 'lab', 'uml'].includes(folderOf(from)) &&
      (modeOf(to) !== undefined || ['proxier', 'sources', 'cli', 'bench'].includes(folderOf(to))),
  },
];

/** scripts/test-files.mjs: the cycle check `npm test` runs before the tests. */
async function cycleCheck(): Promise<(dir: string) => string[][]> {
  const mod = (await import(pathToFileURL(join(root, 'scripts', 'test-files.mjs')).href)) as { checkImportCycles(dir: string): string[][] };
  return mod.checkImportCycles;
}

const graph = new Map([...importGraph('src'), ...importGraph('bench')]);

for (const rule of RULES) {
  test(`import rule: ${rule.name}`, () => {
    const broken = [...graph].flatMap(([from, tos]) => tos.filter((to) => rule.forbids(from, to)).map((to) => `${from} -> ${to}`));
    assert.deepEqual(broken, []);
  });
}

test('the import graph of src has no cycle, type-only imports included', async () => {
  const checkImportCycles = await cycleCheck();
  assert.deepEqual(checkImportCycles(join(root, 'src')).map((c) => c.join(' -> ')), []);
});

test('the cycle check sees a cycle made only of type imports', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kproxy-cycles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'a', 'one.ts'), "import type { Two } from './two.js';\nexport type One = Two[];\n");
  writeFileSync(join(dir, 'a', 'two.ts'), "import type { One } from './one.js';\nexport type Two = { one: One };\n");
  const checkImportCycles = await cycleCheck();
  assert.equal(checkImportCycles(dir).length, 1);
});
