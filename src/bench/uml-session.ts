// A mode session inside user-mode Linux: boots Debian's linux.uml (IPVS modules included) with the host's
// root file system, runs uml-entry.js there, and relays its progress while it runs (the output file is on
// the host's file system). The kernel runs in its own process group, killed on timeout, exit and Ctrl-C.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onExitCleanup } from './exit-cleanup.js';
import type { SessionEvents, SessionSpec } from './session.js';
import { CASE_TAG, PROGRESS_TAG } from './uml-entry.js';
import type { CaseResult } from './results.js';

const UML_KERNEL = '/usr/bin/linux.uml';
const MODULES_ROOT = '/usr/lib/uml/modules';
const MODULES = [
  'ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_lc', 'ip_vs_wlc', 'ip_vs_sh', 'ip_vs_dh', 'ip_vs_sed', 'ip_vs_nq', 'ip_vs_mh',
  'veth', 'dummy', 'nf_conntrack', 'nf_nat', 'ip_set', 'ip_set_hash_ip', 'ip_set_hash_ipport', 'ip_set_hash_ipportip',
  'ip_set_hash_ipportnet', 'ip_set_bitmap_port', 'xt_set', 'xt_comment', 'xt_mark', 'xt_conntrack', 'xt_addrtype',
  'xt_MASQUERADE', 'xt_ipvs', 'xt_nat', 'xt_tcpudp', 'ipt_REJECT', 'iptable_nat', 'iptable_filter',
];

function modulesVersion(): string | undefined {
  if (!existsSync(MODULES_ROOT)) return undefined;
  return readdirSync(MODULES_ROOT).sort().pop();
}

/** Why IPVS sessions cannot run here, or undefined. */
export function umlRequirements(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(UML_KERNEL)) return `needs the user-mode-linux package (${UML_KERNEL} missing)`;
  if (modulesVersion() === undefined) return `needs the UML kernel modules (${MODULES_ROOT})`;
  if (spawnSync('sh', ['-c', 'command -v ipvsadm'], { stdio: 'ignore' }).status !== 0) return 'needs ipvsadm';
  return undefined;
}

/** The init script the UML kernel runs as PID 1: mounts, modules, the command, power off. */
export function umlInitScript(outFile: string, command: string): string {
  const version = modulesVersion() ?? '';
  return [
    '#!/bin/sh',
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root',
    'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmpfs /run',
    `mount -t tmpfs tmpfs /lib/modules && ln -s ${MODULES_ROOT}/${version} /lib/modules/${version}`,
    'mkdir -p /run/kpt-tmp /run/netns; export TMPDIR=/run/kpt-tmp',
    'ip link set lo up',
    `for m in ${MODULES.join(' ')}; do modprobe -q $m 2>/dev/null; done`,
    `exec >${outFile} 2>&1`,
    command,
    'sync',
    'poweroff -f',
    '',
  ].join('\n');
}

/** Pick the tagged lines out of new output. */
export function relayTagged(text: string, events: SessionEvents): void {
  for (const line of text.split('\n')) {
    if (line.startsWith(PROGRESS_TAG)) events.progress(`[uml] ${line.slice(PROGRESS_TAG.length)}`);
    else if (line.startsWith(CASE_TAG)) events.caseDone(JSON.parse(line.slice(CASE_TAG.length)) as CaseResult);
  }
}

export async function runSessionInUml(spec: SessionSpec, events: SessionEvents, timeoutMs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpt-bench-uml-'));
  const out = join(dir, 'out.txt');
  const entry = fileURLToPath(new URL('./uml-entry.js', import.meta.url));
  const b64 = Buffer.from(JSON.stringify(spec)).toString('base64');
  await writeFile(join(dir, 'init.sh'), umlInitScript(out, `${process.execPath} ${entry} ${b64}`));
  await chmod(join(dir, 'init.sh'), 0o755);
  const args = ['mem=2048M', 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'rw', `init=${join(dir, 'init.sh')}`,
    `umid=kpt-bench-${process.pid}`, `uml_dir=${dir}`, 'con=null', 'con0=fd:0,fd:1'];
  const child = spawn(UML_KERNEL, args, { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const forget = onExitCleanup(() => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  });
  let seen = '';
  let cases = 0;
  const counting: SessionEvents = { progress: events.progress, caseDone: (r) => { cases++; events.caseDone(r); } };
  const pollOnce = async () => {
    const text = await readFile(out, 'utf8').catch(() => '');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length > seen.length) relayTagged(complete.slice(seen.length), counting);
    seen = complete.length > seen.length ? complete : seen;
  };
  // One read at a time, so no line is relayed twice.
  let chain = Promise.resolve();
  const poll = () => (chain = chain.then(pollOnce));
  const timer = setInterval(() => void poll(), 2000);
  const deadline = setTimeout(kill, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', () => resolve());
    });
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
    forget();
    await poll();
    const tail = (await readFile(out, 'utf8').catch(() => '')).split('\n').filter((l) => !l.startsWith('@@')).slice(-15).join('\n');
    if (tail.trim() && cases === 0) events.progress(`[uml] last output:\n${tail}`);
    await rm(dir, { recursive: true, force: true });
  }
}
