// Userspace portal rules live as long as the process whose ports they point at (issue 13, finding 6): a
// rule left behind would hand a Service's traffic to whatever binds that ephemeral port next. The real CLI
// runs in a network namespace with real iptables: SIGTERM and SIGINT take the rules with the process;
// after kill -9 the next start, or `kproxy cleanup`, removes them.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runTool } from '../../src/exec/run-tool.js';
import { NamespaceSet } from '../../src/lab/namespace-set.js';
import { addVethAddresses } from '../../src/lab/veth-addresses.js';
import { kproxyCliPath } from '../flow/mode-adapter.js';
import { writeManifests } from '../flow/manifests.js';
import { node, port, service, slice, endpoint } from '../fixtures/objects.js';

let lab: NamespaceSet<'node'> | undefined;
let NS = '';
const skip = process.getuid?.() !== 0 ? 'needs root to create a network namespace' : undefined;
const objects = [
  node('node-a', 'zone-a', ['10.78.0.1']),
  service('web', { clusterIP: '10.96.0.10', ports: [port(80, 8080)] }),
  slice('web', [8080], [endpoint('10.78.0.1', { node: 'node-a' })]),
];
let dir = '';

before(async () => {
  if (skip) return;
  lab = await NamespaceSet.create(['node'], 'kpt-portal-', (set) => addVethAddresses(set, 'node', { device: 'd0', peer: 'd1', addresses: ['10.78.0.1/24'] }));
  NS = lab.ns.node;
  dir = await mkdtemp(join(tmpdir(), 'kpt-portal-'));
  await writeManifests(dir, objects);
});

after(async () => {
  if (skip) return;
  await lab?.destroy();
  await rm(dir, { recursive: true, force: true });
});

function start(): ChildProcess {
  const args = [kproxyCliPath(), '--proxy-mode=userspace', '--userspace-portals=iptables', '--from', dir, '--hostname-override', 'node-a'];
  return spawn('ip', ['netns', 'exec', NS, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function portalLines(): Promise<string[]> {
  const saved = (await runTool('iptables-save', [], { netns: NS })).stdout;
  return saved.split('\n').filter((l) => l.includes('KPROXY-PORTALS'));
}

/** Poll until `ok(lines)`; returns the last lines seen. */
async function waitFor(ok: (lines: string[]) => boolean, ms = 15_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let lines = await portalLines();
  while (!ok(lines) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    lines = await portalLines();
  }
  return lines;
}

const hasRedirect = (lines: string[]) => lines.some((l) => l.includes('10.96.0.10') && l.includes('REDIRECT'));

async function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await done;
}

describe('userspace portal rules go with the process', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} removes the portal rules and jumps`, { skip }, async () => {
      const child = start();
      try {
        assert.ok(hasRedirect(await waitFor(hasRedirect)), 'the portal was installed');
        await exited(child, signal);
        assert.deepEqual(await portalLines(), [], `nothing of the portals is left after ${signal}`);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  test('after kill -9, the next start and kproxy cleanup remove what was left', { skip }, async () => {
    const first = start();
    assert.ok(hasRedirect(await waitFor(hasRedirect)));
    await exited(first, 'SIGKILL');
    assert.ok(hasRedirect(await portalLines()), 'kill -9 leaves the rules (else this test proves nothing)');

    // The next start has no Service to portal any more: its start alone must clear the dead rules.
    await writeManifests(dir, [objects[0]!]);
    const second = start();
    try {
      assert.deepEqual(await waitFor((l) => l.length === 0), [], 'the next start removed the rules of the killed process');
    } finally {
      await exited(second, 'SIGKILL');
    }
    await writeManifests(dir, objects);
    const third = start();
    assert.ok(hasRedirect(await waitFor(hasRedirect)));
    await exited(third, 'SIGKILL');
    await runTool('ip', ['netns', 'exec', NS, process.execPath, kproxyCliPath(), 'cleanup']);
    assert.deepEqual(await portalLines(), [], 'kproxy cleanup removed them');
  });
});
