// Boots Debian's user-mode Linux kernel (linux.uml, a 6.1 kernel with IPVS modules that runs as an ordinary
// process) with the host's root file system as its root, runs a list of shell commands inside, and returns
// their output. The kernel runs `init.sh` as PID 1; output goes to a file in a fresh host directory (the
// root is the host's, so the file is readable here once the kernel powers off). The init script always
// ends in `poweroff -f`; a timeout kills the whole process group.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const UML_KERNEL = '/usr/bin/linux.uml';
const MODULES_ROOT = '/usr/lib/uml/modules';

/** Modules loaded at boot: IPVS and its schedulers, the netfilter pieces the IPVS mode's rules use. */
export const UML_MODULES = [
  'ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_lc', 'ip_vs_wlc', 'ip_vs_lblc', 'ip_vs_lblcr', 'ip_vs_sh', 'ip_vs_dh',
  'ip_vs_sed', 'ip_vs_nq', 'ip_vs_mh', 'ip_vs_fo', 'ip_vs_ovf', 'veth', 'dummy', 'nf_conntrack', 'nf_nat',
  'ip_set', 'ip_set_hash_ip', 'ip_set_hash_ipport', 'ip_set_hash_ipportip', 'ip_set_hash_ipportnet', 'ip_set_bitmap_port',
  'xt_set', 'xt_comment', 'xt_mark', 'xt_conntrack', 'xt_addrtype', 'xt_MASQUERADE', 'xt_physdev', 'xt_ipvs',
  'xt_nat', 'xt_tcpudp', 'ipt_REJECT', 'ip6t_REJECT', 'iptable_nat', 'iptable_filter', 'ip6table_nat', 'ip6table_filter',
];

export interface UmlRunOptions {
  /** Shell command lines, run one after another inside the UML kernel. */
  readonly commands: readonly string[];
  /** Kill the kernel after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  readonly memoryMB?: number;
  /** Extra environment for the commands. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface UmlCommandResult {
  readonly command: string;
  readonly exitCode: number;
}

export interface UmlRunResult {
  /** Everything the commands wrote (stdout and stderr). */
  readonly output: string;
  readonly results: readonly UmlCommandResult[];
  readonly timedOut: boolean;
  /** The kernel's console (boot messages), for when something went wrong before the commands ran. */
  readonly console: string;
}

/** Why UML cannot run here, or undefined. */
export function umlRequirements(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (user-mode Linux runs ip netns, iptables and ipvsadm as root inside)';
  if (!existsSync(UML_KERNEL)) return `needs the user-mode-linux package (${UML_KERNEL} missing)`;
  if (umlModulesDir() === undefined) return `needs the UML kernel modules (${MODULES_ROOT} missing)`;
  if (spawnSync('sh', ['-c', 'command -v ipvsadm || test -x /usr/sbin/ipvsadm'], { stdio: 'ignore' }).status !== 0) return 'needs ipvsadm';
  return undefined;
}

function umlModulesDir(): string | undefined {
  if (!existsSync(MODULES_ROOT)) return undefined;
  const versions = readdirSync(MODULES_ROOT).sort();
  return versions.length > 0 ? versions[versions.length - 1] : undefined;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function initScript(dir: string, o: UmlRunOptions): string {
  const version = umlModulesDir() ?? '';
  const out = join(dir, 'out.txt');
  const env = Object.entries(o.env ?? {}).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const lines = [
    '#!/bin/sh',
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root',
    'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmpfs /run',
    // The host's /lib/modules must not be touched: a tmpfs over it holds the link to the UML modules.
    `mount -t tmpfs tmpfs /lib/modules && ln -s ${MODULES_ROOT}/${version} /lib/modules/${version}`,
    'mkdir -p /run/kpt-tmp /run/netns; export TMPDIR=/run/kpt-tmp',
    'ip link set lo up',
    `for m in ${UML_MODULES.join(' ')}; do modprobe -q $m 2>/dev/null; done`,
    ...env,
    `exec >${out} 2>&1`,
  ];
  o.commands.forEach((c, i) => {
    lines.push(`( ${c} )`, `echo "__KPT_EXIT__ ${i} $?"`);
  });
  lines.push('sync', 'poweroff -f');
  return `${lines.join('\n')}\n`;
}

export async function runInUml(o: UmlRunOptions): Promise<UmlRunResult> {
  const reason = umlRequirements();
  if (reason) throw new Error(`user-mode Linux unavailable: ${reason}`);
  const dir = await mkdtemp(join(tmpdir(), 'kpt-uml-'));
  try {
    const init = join(dir, 'init.sh');
    await writeFile(init, initScript(dir, o));
    await chmod(init, 0o755);
    const umid = `kpt-${process.pid}-${Date.now().toString(36)}`;
    const args = [
      `mem=${o.memoryMB ?? 1536}M`, 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'rw',
      `init=${init}`, `umid=${umid}`, `uml_dir=${dir}`, 'con=null', 'con0=fd:0,fd:1',
    ];
    const { console: consoleText, timedOut } = await boot(args, o.timeoutMs ?? 600_000);
    const output = await readFile(join(dir, 'out.txt'), 'utf8').catch(() => '');
    const results: UmlCommandResult[] = [];
    for (const m of output.matchAll(/^__KPT_EXIT__ (\d+) (\d+)$/gm)) {
      results.push({ command: o.commands[Number(m[1])] ?? '?', exitCode: Number(m[2]) });
    }
    return { output, results, timedOut, console: consoleText };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function boot(args: readonly string[], timeoutMs: number): Promise<{ console: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout takes down the kernel's helper processes with it.
    const child = spawn(UML_KERNEL, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let text = '';
    const keep = (c: Buffer) => {
      text += c.toString();
      if (text.length > 200_000) text = text.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve({ console: text, timedOut });
    });
  });
}
