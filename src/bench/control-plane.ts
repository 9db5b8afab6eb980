// A real Kubernetes control plane for tests and `kproxy bench --experiments upstream`: etcd and
// kube-apiserver on loopback, plus kubectl and upstream kube-proxy, from the project's shared kube folder
// (../shared/kube beside the repository, or KPROXY_KUBE_DIR, or a folder given on the command line). Its
// `control-plane` script unpacks the binaries, makes certificates and kubeconfigs and starts both servers;
// this module adds what tests need on top: unique ports per caller, extra kube-apiserver flags (the script
// takes none), killing and restarting the API server, and kubectl as admin.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../exec/run-tool.js';
import { onExitCleanup } from '../lab/exit-cleanup.js';

/** The repository root (dist/src/bench → three levels up), where package.json is. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the shared kube binaries are: KPROXY_KUBE_DIR, else ../shared/kube beside the repository. */
export function kubeDir(): string {
  return process.env.KPROXY_KUBE_DIR ?? join(REPO_ROOT, '..', 'shared', 'kube');
}

/** Why a real control plane cannot run here, or undefined. */
export function controlPlaneRequirements(dir = kubeDir()): string | undefined {
  if (!existsSync(join(dir, 'control-plane'))) return `needs the shared kube folder (kube-apiserver, kubectl, upstream kube-proxy) at ${dir}`;
  if (process.getuid?.() !== 0) return 'needs root (etcd from Debian, network namespaces)';
  if (spawnSync('sh', ['-c', 'command -v xz'], { stdio: 'ignore' }).status !== 0) return 'needs xz';
  return undefined;
}

export interface ControlPlaneOptions {
  /** Distinct per test file so files may run side by side. */
  apiserverPort: number;
  etcdPort: number;
  /** Extra kube-apiserver flags, e.g. --etcd-compaction-interval=2s. */
  apiserverFlags?: readonly string[];
  /**
   * A folder prepare() made (binaries, certificates, kubeconfigs): start from a copy of it instead of from
   * nothing. Inside user-mode Linux this saves unpacking and key generation on its one slow CPU.
   */
  preparedDir?: string;
  /** The folder with the `control-plane` script and the packed binaries (default kubeDir()). */
  kubeDir?: string;
  /** A kube-apiserver binary to run instead of the kube folder's. */
  apiserverBin?: string;
  /** Where the folder (etcd's data among it) is made; default the temp directory. */
  parentDir?: string;
}

export class ControlPlane {
  readonly bin: string;
  readonly adminKubeconfig: string;
  /** The user system:kube-proxy: exactly the built-in node-proxier rights. */
  readonly proxyKubeconfig: string;
  private apiserverArgv: string[] = [];

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly scriptDir: string,
  ) {
    this.bin = join(dir, 'bin');
    this.adminKubeconfig = join(dir, 'admin.kubeconfig');
    this.proxyKubeconfig = join(dir, 'kube-proxy.kubeconfig');
  }

  /** Unpack the binaries and make certificates and kubeconfigs into a fresh folder; returns the folder. */
  static async prepare(opts: ControlPlaneOptions): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'kpt-kube-prepared-'));
    await runControlPlaneScript(['start', dir], opts);
    spawnSync(join(opts.kubeDir ?? kubeDir(), 'control-plane'), ['stop', dir], { stdio: 'ignore', timeout: 30_000 });
    rmSync(join(dir, 'etcd'), { recursive: true, force: true });
    return dir;
  }

  static async start(opts: ControlPlaneOptions): Promise<ControlPlane> {
    const dir = mkdtempSync(join(opts.parentDir ?? tmpdir(), 'kpt-kube-'));
    if (opts.preparedDir) {
      // Certificates and kubeconfigs are copied; the binaries stay where they are (a link).
      cpSync(opts.preparedDir, dir, { recursive: true, filter: (src) => src !== join(opts.preparedDir!, 'bin') });
      rmSync(join(dir, 'bin'), { recursive: true, force: true });
      symlinkSync(join(opts.preparedDir, 'bin'), join(dir, 'bin'));
    }
    if (opts.apiserverBin) {
      // The script unpacks only the binaries DIR/bin does not hold yet.
      mkdirSync(join(dir, 'bin'), { recursive: true });
      symlinkSync(opts.apiserverBin, join(dir, 'bin', 'kube-apiserver'));
    }
    const cp = new ControlPlane(dir, opts.apiserverPort, opts.kubeDir ?? kubeDir());
    cp.unregister = onExitCleanup(() => cp.stopSync());
    await runControlPlaneScript(['start', dir], opts);
    cp.apiserverArgv = readFileSync(`/proc/${cp.pid('kube-apiserver')}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    if (opts.apiserverFlags?.length) {
      cp.apiserverArgv.push(...opts.apiserverFlags);
      await cp.restartApiserver();
    }
    return cp;
  }

  private unregister: () => void = () => undefined;

  /** kubectl as cluster admin; resolves with its stdout. */
  async kubectl(args: readonly string[], input?: string, timeoutMs = 120_000): Promise<string> {
    const r = await runTool(join(this.bin, 'kubectl'), ['--kubeconfig', this.adminKubeconfig, ...args], { stdin: input, timeoutMs });
    return r.stdout;
  }

  /** Create or update objects (kubectl apply of one List). */
  async apply(objects: readonly object[]): Promise<void> {
    if (objects.length === 0) return;
    await this.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  }

  /**
   * The API server goes away: at once with SIGKILL (a control plane lost), or with SIGTERM, when it ends
   * every watch itself before it exits. etcd keeps running.
   */
  async killApiserver(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const pid = this.pid('kube-apiserver');
    if (pid === undefined) return;
    process.kill(pid, signal);
    for (let i = 0; i < 600 && isAlive(pid); i++) await sleep(50);
  }

  /** Start the API server again with the same flags; resolves when /readyz answers. */
  async startApiserver(): Promise<void> {
    const [cmd, ...args] = this.apiserverArgv;
    const log = openSync(join(this.dir, 'kube-apiserver.log'), 'a');
    const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    writeFileSync(join(this.dir, 'kube-apiserver.pid'), `${child.pid}\n`);
    await this.waitReady();
  }

  async restartApiserver(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    await this.killApiserver(signal);
    await this.startApiserver();
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await this.kubectl(['--request-timeout=3s', 'get', '--raw', '/readyz'], undefined, 10_000).then(
        () => true,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after ${timeoutMs} ms; log: ${this.logTail()}`);
      await sleep(250);
    }
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'kube-apiserver.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop(): Promise<void> {
    this.stopSync();
  }

  private stopSync(): void {
    this.unregister();
    spawnSync(join(this.scriptDir, 'control-plane'), ['stop', this.dir], { stdio: 'ignore', timeout: 30_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pid(name: string): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dir, `${name}.pid`), 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
}

function runControlPlaneScript(args: readonly string[], opts: ControlPlaneOptions): Promise<unknown> {
  return runTool(join(opts.kubeDir ?? kubeDir(), 'control-plane'), args, {
    timeoutMs: 240_000,
    env: { ...process.env, APISERVER_PORT: String(opts.apiserverPort), ETCD_PORT: String(opts.etcdPort) },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
