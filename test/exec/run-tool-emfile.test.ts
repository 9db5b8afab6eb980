// A process that has used up its open-file limit (a userspace proxy with many listeners) must get an
// error from runTool and startTool, not crash on an unhandled 'error' event.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runTool = fileURLToPath(new URL('../../src/exec/run-tool.js', import.meta.url));

const CHILD = `
import { openSync } from 'node:fs';
const { runTool, startTool } = await import(process.argv[1]);
const held = [];
try { for (;;) held.push(openSync('/dev/null', 'r')); } catch {}
const out = {};
try { await runTool('true', []); out.run = 'resolved'; } catch (e) { out.run = e.name + ': ' + e.message; }
out.start = await new Promise((resolve) => {
  const p = startTool('cat', [], { exit: (code, why) => resolve(String(code) + ' ' + why) });
  p.write('x');
  p.end();
});
process.stdout.write(JSON.stringify(out));
`;

test('runTool and startTool report EMFILE instead of crashing', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('sh', ['-c', 'ulimit -n 64 && exec "$@"', 'sh', process.execPath, '--input-type=module', '-e', CHILD, runTool], (err, out, errText) =>
      err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out),
    );
  });
  const out = JSON.parse(stdout) as { run: string; start: string };
  assert.match(out.run, /^ToolError: true: cannot start true: this process has used up its open-file limit \(EMFILE\)/);
  assert.match(out.start, /^null cannot start cat: .*EMFILE/);
});
