// Debian's user-mode Linux kernel (package user-mode-linux): a 6.1 kernel with the IPVS modules that runs as
// an ordinary process with the host's root file system as its root. This machine's own kernel has no IPVS,
// so the IPVS tests and benchmarks run inside it. Shared by uml-vm.ts (the IPVS tests, the IPVS sync
// benchmark) and `kproxy bench` (bench/uml-session.ts).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Where the Debian package installs the kernel and its modules. */
export const UML_KERNEL = '/usr/bin/linux.uml';
const MODULES_ROOT = '/usr/lib/uml/modules';

/**
 * Modules loaded at boot: IPVS and its schedulers, the netfilter pieces the IPVS mode's rules use, and
 * conntrack netlink for the stale UDP entry cleanup.
 */
export const UML_MODULES = [
  'ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_lc', 'ip_vs_wlc', 'ip_vs_lblc', 'ip_vs_lblcr', 'ip_vs_sh', 'ip_vs_dh',
  'ip_vs_sed', 'ip_vs_nq', 'ip_vs_mh', 'ip_vs_fo', 'ip_vs_ovf', 'veth', 'dummy', 'nf_conntrack', 'nf_conntrack_netlink', 'nf_nat',
  'ip_set', 'ip_set_hash_ip', 'ip_set_hash_ipport', 'ip_set_hash_ipportip', 'ip_set_hash_ipportnet', 'ip_set_bitmap_port',
  'xt_set', 'xt_comment', 'xt_mark', 'xt_conntrack', 'xt_addrtype', 'xt_MASQUERADE', 'xt_physdev', 'xt_ipvs',
  'xt_nat', 'xt_tcpudp', 'ipt_REJECT', 'ip6t_REJECT', 'iptable_nat', 'iptable_filter', 'ip6table_nat', 'ip6table_filter',
];

function modulesVersion(): string | undefined {
  if (!existsSync(MODULES_ROOT)) return undefined;
  return readdirSync(MODULES_ROOT).sort().pop();
}

/** Why user-mode Linux cannot run here, or undefined. */
export function umlRequirements(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (user-mode Linux runs ip netns, iptables and ipvsadm as root inside)';
  if (!existsSync(UML_KERNEL)) return `needs the user-mode-linux package (${UML_KERNEL} missing)`;
  if (modulesVersion() === undefined) return `needs the UML kernel modules (${MODULES_ROOT} missing)`;
  if (spawnSync('sh', ['-c', 'command -v ipvsadm || test -x /usr/sbin/ipvsadm'], { stdio: 'ignore' }).status !== 0) return 'needs ipvsadm';
  return undefined;
}

/**
 * The script the UML kernel runs as PID 1: mounts, the module directory, modules, then `body` with all
 * output in `outFile` (on the host's file system, readable from outside), then power off.
 */
export function umlInitScript(outFile: string, body: readonly string[]): string {
  const version = modulesVersion() ?? '';
  return [
    '#!/bin/sh',
    'export PATH=/run/kpt-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root',
    'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmpfs /run',
    // modprobe looks in /lib/modules/VERSION, which is the host's own (and may not exist there): the
    // guest's modprobe is a wrapper, first in PATH and the kernel's module loader, that looks under
    // /run/kpt-modroot instead, where a link leads to the UML package's modules. Nothing on the host changes.
    `mkdir -p /run/kpt-modroot/lib/modules /run/kpt-bin && ln -s ${MODULES_ROOT}/${version} /run/kpt-modroot/lib/modules/${version}`,
    `printf '#!/bin/sh\\nexec /sbin/modprobe -d /run/kpt-modroot "$@"\\n' >/run/kpt-bin/modprobe && chmod +x /run/kpt-bin/modprobe`,
    'echo /run/kpt-bin/modprobe >/proc/sys/kernel/modprobe',
    'mkdir -p /run/kpt-tmp /run/netns; export TMPDIR=/run/kpt-tmp',
    'ip link set lo up',
    `for m in ${UML_MODULES.join(' ')}; do modprobe -q $m 2>/dev/null; done`,
    `exec >${outFile} 2>&1`,
    ...body,
    'sync',
    'poweroff -f',
    '',
  ].join('\n');
}

/**
 * Boot the kernel with `init` as PID 1. It gets its own process group (detached), so killing `-pid` takes
 * its helper processes down with it.
 */
export function bootUml(o: { init: string; dir: string; umid: string; memoryMB: number; stdio: 'pipe' | 'ignore' }): ChildProcess {
  const args = [
    `mem=${o.memoryMB}M`, 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'rw',
    `init=${o.init}`, `umid=${o.umid}`, `uml_dir=${o.dir}`, 'con=null', 'con0=fd:0,fd:1',
  ];
  return spawn(UML_KERNEL, args, { stdio: ['ignore', o.stdio, o.stdio], detached: true });
}

/** Kill a booted kernel and everything in its process group; harmless when it is gone. */
export function killUml(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
