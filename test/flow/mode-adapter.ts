// How the flow suite drives one proxy mode. A mode adapter starts one proxy per scenario in the lab's node
// namespace and tells when it has programmed what the manifests say. Every kproxy mode runs the same CLI
// with different flags, so adding a mode is one kproxyCliAdapter(...) call and a three-line test file (see
// docs/flow-suite.md).

import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../src/model/objects.js';
import { POD_CIDR, POD_CIDR6, stopChild, type Lab } from '../../src/lab/node-lab.js';

export interface RunningProxy {
  /** Resolve once the proxy completed a sync that started after `since` (epoch ms); reject if it cannot. */
  waitForSync(since: number): Promise<void>;
  stop(): Promise<void>;
  /** Everything the proxy printed, for the failure report. */
  logs(): string;
}

/** Where a proxy reads a scenario's objects when it does not read the manifests directory. */
export interface ObjectFeed {
  /** Before the proxy starts: exactly `objects`, nothing of the previous scenario. */
  load(objects: readonly KubeObject[]): Promise<void>;
  /** A step: exactly `objects` from now on, while the proxy runs. */
  replace(objects: readonly KubeObject[]): Promise<void>;
}

export interface ModeAdapter {
  /** The byMode key of this adapter. */
  readonly mode: string;
  /** Further byMode keys that apply to this adapter, before its own (e.g. upstream's nftables follows 'nftables'). */
  readonly follows?: readonly string[];
  /** How test names call this adapter when one mode runs in several variants (e.g. iptables back ends). */
  readonly label?: string;
  /** Why this mode cannot run here (missing tool, kernel feature, build), or undefined. */
  requirements(): string | undefined;
  /** `flags`: the scenario's own proxy flags (upstream spelling), added after the mode's. */
  start(lab: Lab, manifestsDir: string, nodeName: string, flags?: readonly string[]): Promise<RunningProxy>;
  /** Commands run in the node namespace when a scenario fails, to show the kernel state (iptables-save, ...). */
  readonly stateCommands?: readonly (readonly string[])[];
  /**
   * kproxy's command line for a scenario (after the program path), for adapters that run kproxy's CLI: the
   * explain tests render each scenario with exactly these flags.
   */
  proxyArgs?(manifestsDir: string, nodeName: string, flags?: readonly string[]): string[];
  /** Where the objects go instead of the manifests directory (e.g. a real API server). */
  readonly feed?: ObjectFeed;
  /** Once per test file, after the lab is built (e.g. start a control plane), and before it is destroyed. */
  setUp?(lab: Lab): Promise<void>;
  tearDown?(): Promise<void>;
}

/** Every byMode key that applies to `adapter`, the most general first. */
export function modeKeys(adapter: Pick<ModeAdapter, 'mode' | 'follows'>): string[] {
  return [...(adapter.follows ?? []), adapter.mode];
}

export const METRICS_ADDRESS = '127.0.0.1:10249';
export const HEALTHZ_ADDRESS = '127.0.0.1:10256';
const LOG_LIMIT = 256 * 1024;

/** The CLI this build produced (dist/src/cli/main.js after `npm run build`); KPROXY_CLI overrides it. */
export function kproxyCliPath(): string {
  return process.env.KPROXY_CLI ?? fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
}

export interface CliModeOptions {
  mode: string;
  label?: string;
  /** Flags besides the common ones (--proxy-mode, --from, --hostname-override, bind addresses, --cluster-cidr). */
  flags?: readonly string[];
  /** Commands the mode needs on this machine. */
  tools?: readonly string[];
  stateCommands?: readonly (readonly string[])[];
  /** Another reason to skip (kernel feature), checked after the common ones. */
  extraRequirement?: () => string | undefined;
}

/** A mode run as the real kproxy CLI inside the node namespace. */
export function kproxyCliAdapter(o: CliModeOptions): ModeAdapter {
  const proxyArgs = (manifestsDir: string, nodeName: string, flags: readonly string[] = []) =>
    [`--proxy-mode=${o.mode}`, '--from', manifestsDir, ...commonProxyFlags(nodeName), ...(o.flags ?? []), ...flags];
  return {
    mode: o.mode,
    ...(o.label ? { label: o.label } : {}),
    stateCommands: o.stateCommands ?? [],
    requirements() {
      if (!existsSync(kproxyCliPath())) return `kproxy CLI not built (${kproxyCliPath()} missing)`;
      const missing = (o.tools ?? []).filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
      if (missing.length > 0) return `needs ${missing.join(', ')}`;
      return o.extraRequirement?.();
    },
    proxyArgs,
    async start(lab, manifestsDir, nodeName, flags = []) {
      return startProxyProcess(lab, process.execPath, [kproxyCliPath(), ...proxyArgs(manifestsDir, nodeName, flags)]);
    },
  };
}

/** The flags every proxy in the lab runs with, kproxy or upstream: who it is, where it listens, the pod range. */
export function commonProxyFlags(nodeName: string): string[] {
  return [
    '--hostname-override',
    nodeName,
    `--healthz-bind-address=${HEALTHZ_ADDRESS}`,
    `--metrics-bind-address=${METRICS_ADDRESS}`,
    `--cluster-cidr=${POD_CIDR},${POD_CIDR6}`,
  ];
}

/** Run a proxy (`cmd args`) in the node namespace; it syncs when its metrics say so. */
export function startProxyProcess(lab: Lab, cmd: string, args: readonly string[]): RunningProxy {
  const child = lab.spawn('node', cmd, args);
  let output = `$ ${[cmd, ...args].join(' ')}\n`;
  const capture = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > LOG_LIMIT) output = `[...]\n${output.slice(-LOG_LIMIT)}`;
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`the proxy exited (${signal ?? code})`)));
  return {
    waitForSync: (since) => waitForSyncOrExit(lab, since, exited),
    stop: () => stopChild(child),
    logs: () => output,
  };
}

async function waitForSyncOrExit(lab: Lab, since: number, exited: Promise<string>): Promise<void> {
  const waiter = lab.spawn('node', process.execPath, [
    fileURLToPath(new URL('./sync-waiter.js', import.meta.url)),
    '--url',
    `http://${METRICS_ADDRESS}/metrics`,
    '--since-ms',
    String(since),
  ]);
  try {
    const outcome = await Promise.race([childResult(waiter), exited.then((why) => `${why} before completing a sync`)]);
    if (outcome !== '') throw new Error(outcome);
  } finally {
    await stopChild(waiter, 1000);
  }
}

/** '' when the child exits 0, else its stderr. */
function childResult(child: ChildProcess): Promise<string> {
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve(code === 0 ? '' : stderr.trim() || `sync-waiter exited ${code}`)),
  );
}

/** Userspace mode: an L4 proxy in the process, reached through iptables portals. */
export const userspaceAdapter = kproxyCliAdapter({
  mode: 'userspace',
  flags: ['--userspace-portals=iptables'],
  tools: ['iptables'],
  stateCommands: [['iptables-save']],
});

/** iptables mode on the nf_tables back end of iptables (iptables-nft). */
export const iptablesAdapter = kproxyCliAdapter({
  mode: 'iptables',
  label: 'iptables (nft back end)',
  flags: ['--iptables-backend=nft'],
  tools: ['iptables-nft-restore', 'conntrack'],
  stateCommands: [['iptables-nft-save'], ['ip6tables-nft-save']],
});

/** nftables mode. */
export const nftablesAdapter = kproxyCliAdapter({
  mode: 'nftables',
  tools: ['nft'],
  stateCommands: [['nft', 'list', 'table', 'ip', 'kproxy'], ['nft', 'list', 'table', 'ip6', 'kproxy']],
});
