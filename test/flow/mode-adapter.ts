// How the flow suite drives one proxy mode. A mode adapter starts one proxy per scenario in the lab's node
// namespace and tells when it has programmed what the manifests say. Every kproxy mode runs the same CLI
// with different flags, so adding a mode is one kproxyCliAdapter(...) call and a three-line test file (see
// docs/flow-suite.md).

import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { POD_CIDR, POD_CIDR6, stopChild, type Lab } from './lab.js';

export interface RunningProxy {
  /** Resolve once the proxy completed a sync that started after `since` (epoch ms); reject if it cannot. */
  waitForSync(since: number): Promise<void>;
  stop(): Promise<void>;
  /** Everything the proxy printed, for the failure report. */
  logs(): string;
}

export interface ModeAdapter {
  readonly mode: string;
  /** How test names call this adapter when one mode runs in several variants (e.g. iptables back ends). */
  readonly label?: string;
  /** Why this mode cannot run here (missing tool, kernel feature, build), or undefined. */
  requirements(): string | undefined;
  /** `flags`: the scenario's own proxy flags (upstream spelling), added after the mode's. */
  start(lab: Lab, manifestsDir: string, nodeName: string, flags?: readonly string[]): Promise<RunningProxy>;
  /** Commands run in the node namespace when a scenario fails, to show the kernel state (iptables-save, ...). */
  readonly stateCommands?: readonly (readonly string[])[];
}

const METRICS_ADDRESS = '127.0.0.1:10249';
const HEALTHZ_ADDRESS = '127.0.0.1:10256';
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
    async start(lab, manifestsDir, nodeName, flags = []) {
      const args = [
        kproxyCliPath(),
        `--proxy-mode=${o.mode}`,
        '--from',
        manifestsDir,
        '--hostname-override',
        nodeName,
        `--healthz-bind-address=${HEALTHZ_ADDRESS}`,
        `--metrics-bind-address=${METRICS_ADDRESS}`,
        `--cluster-cidr=${POD_CIDR},${POD_CIDR6}`,
        ...(o.flags ?? []),
        ...flags,
      ];
      return startCliProxy(lab, args);
    },
  };
}

function startCliProxy(lab: Lab, args: readonly string[]): RunningProxy {
  const child = lab.spawn('node', process.execPath, args);
  let output = `$ ${[process.execPath, ...args].join(' ')}\n`;
  const capture = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > LOG_LIMIT) output = `[...]\n${output.slice(-LOG_LIMIT)}`;
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`kproxy exited (${signal ?? code})`)));
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
