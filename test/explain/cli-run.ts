// Runs the built CLI as an operator does, for the explain and status tests.

import { execFile, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export function kproxy(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, cwd: tmpdir() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking, for a test that serves something the CLI reads from this process. */
export function kproxyAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, cwd: tmpdir() }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}
