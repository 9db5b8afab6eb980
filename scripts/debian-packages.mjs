// The Debian packages the kernel tests use, and how `npm test` installs them as root without leaving new
// system services behind: on a systemd machine apt-get starts nginx and haproxy at once and enables them
// at boot, and the tests only ever run instances of their own. The install runs under a policy-rc.d that
// forbids starting services (unless the machine has its own policy), and every service it enabled is
// disabled again (and stopped, where systemd runs).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';

/** Debian packages and the command that proves each is there. */
export const DEBIAN = [
  ['iptables', 'iptables-restore'],
  ['nftables', 'nft'],
  ['ipset', 'ipset'],
  ['conntrack', 'conntrack'],
  ['iproute2', 'ip'],
  ['kmod', 'modprobe'],
  ['nginx-light', 'nginx'],
  ['apache2-utils', 'ab'],
  ['user-mode-linux', 'linux.uml'],
  ['ipvsadm', 'ipvsadm'],
  ['haproxy', 'haproxy'],
  ['wrk', 'wrk'],
  // The real control plane from the shared kube folder (test/kube): etcd, certificates, its packed binaries.
  ['etcd-server', 'etcd'],
  ['openssl', 'openssl'],
  ['xz-utils', 'xz'],
];

const POLICY = '/usr/sbin/policy-rc.d';

/** The machine as the install sees it; tests pass a fake. */
export const realSystem = {
  run(title, cmd, args, opts = {}) {
    console.log(`\n== ${title}`);
    const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
    if (r.status !== 0) throw new Error(`${title} failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
  },
  has(cmd) {
    return spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status === 0;
  },
  exists: existsSync,
  writeExecutable(path, text) {
    writeFileSync(path, text);
    chmodSync(path, 0o755);
  },
  remove(path) {
    rmSync(path, { force: true });
  },
  /** Service units enabled at boot (empty without systemctl). */
  enabledServices() {
    const r = spawnSync('systemctl', ['list-unit-files', '--state=enabled', '--type=service', '--no-legend', '--no-pager'], { encoding: 'utf8' });
    if (r.status !== 0) return new Set();
    return new Set(r.stdout.split('\n').map((line) => line.trim().split(/\s+/)[0]).filter(Boolean));
  },
  systemdRunning() {
    return existsSync('/run/systemd/system');
  },
};

/** The packages whose command is missing. */
export function missingPackages(sys = realSystem) {
  return DEBIAN.filter(([, cmd]) => !sys.has(cmd)).map(([pkg]) => pkg);
}

/** Installs `packages` without starting their services; returns the services it had to disable again. */
export function installDebianPackages(packages, sys = realSystem) {
  const before = sys.enabledServices();
  const ownPolicy = !sys.exists(POLICY);
  if (ownPolicy) sys.writeExecutable(POLICY, '#!/bin/sh\n# kproxy npm test: no service starts while it installs packages\nexit 101\n');
  try {
    sys.run('apt-get update', 'apt-get', ['update', '-qq']);
    sys.run(`apt-get install ${packages.join(' ')}`, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } finally {
    if (ownPolicy) sys.remove(POLICY);
  }
  const enabled = [...sys.enabledServices()].filter((unit) => !before.has(unit));
  if (enabled.length > 0) {
    const now = sys.systemdRunning() ? ['--now'] : [];
    sys.run(`disable the services the install enabled (the tests run their own): ${enabled.join(' ')}`, 'systemctl', ['disable', ...now, ...enabled]);
  }
  return enabled;
}
