// kproxy against a real kube-apiserver (v1.28.4 from the shared kube folder), as a DaemonSet pod runs it:
// `--kubeconfig` as the user system:kube-proxy, which has exactly the built-in node-proxier rights, in the
// flow lab's node namespace (the API server is reached through a door, see api-door.ts). Per mode:
// converge, follow endpoint and Service changes, keep the rules and /livez while the API server is killed,
// converge again after it restarts, survive watches the server itself ends (a graceful restart), relist
// after 410 Gone. Once per run: deploy/ passes server-side validation, and a paged list of 5,000 Services
// is programmed whole. real-apiserver.test.ts runs it on the host, test/ipvs/in-uml for IPVS mode.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/model/objects.js';
import { judgeFlow } from '../flow/expectations.js';
import { Lab, labRequirements, NODE_ADDRESSES } from '../../src/lab/node-lab.js';
import { commonProxyFlags, kproxyCliPath, startProxyProcess, type RunningProxy } from '../flow/mode-adapter.js';
import { port, service, slice } from '../fixtures/objects.js';
import { A1, A2, at, B1, local, remote, thisNode, THIS_NODE } from '../flow/scenario-fixtures.js';
import type { Flow, FlowExpect } from '../flow/scenario.js';
import { sendFlow } from '../flow/scenario-run.js';
import { projectRoot } from '../sources/project-root.js';
import { openApiDoor, type ApiDoor } from './api-door.js';
import { ControlPlane, controlPlaneRequirements } from './control-plane.js';

const REPO_ROOT = projectRoot();

/** The API server's port on the host, and inside user-mode Linux (the host prepares that folder meanwhile). */
export const HOST_API_PORT = 17443;
export const UML_API_PORT = 17543;

export interface RealApiserverSuite {
  /** The API server's port (etcd's is 5,000 lower); a prepared folder's kubeconfigs name it. */
  apiserverPort: number;
  /** Each mode with its own flags. */
  modes: Record<string, readonly string[]>;
  /** Also the once-per-run checks: deploy/ dry-run, a paged list of 5,000 Services (nftables mode). */
  clusterChecks: boolean;
  /** A folder ControlPlane.prepare() made (inside user-mode Linux), or undefined to start from nothing. */
  preparedDir?: string;
  /** Why it cannot run here beyond the lab's and the control plane's own reasons. */
  skip?: string;
}

const WEB_IP = '10.96.0.10';
const web = service('web', { clusterIP: WEB_IP, ports: [port(80, 8080)] });
const webSlice = (...eps: ReturnType<typeof local>[]) => slice('web', [8080], eps);
const toWeb = (expect: FlowExpect, count = 6): Flow => ({ from: 'client', proto: 'tcp', to: `${WEB_IP}:80`, count, expect });

export function realApiserverSuite(o: RealApiserverSuite): void {
  const skip = labRequirements() ?? controlPlaneRequirements() ?? o.skip;
  const API_PORT = o.apiserverPort;
  describe('kproxy against a real kube-apiserver', { skip }, () => {
    let cp: ControlPlane;
    let lab: Lab;
    let door: ApiDoor;
    let kubeconfig: string;

    before(async () => {
      progress('starting etcd and kube-apiserver');
      // Compaction every few seconds, so a watch resumed after a pause meets 410 Gone.
      cp = await ControlPlane.start({
        apiserverPort: API_PORT,
        etcdPort: API_PORT - 5000,
        apiserverFlags: ['--etcd-compaction-interval=2s'],
        ...(o.preparedDir ? { preparedDir: o.preparedDir } : {}),
      });
      lab = await Lab.create({ podIPs: [A1, A2, B1], clientPodIPs: [] });
      await lab.startBackend([A1, A2, B1].map((ip) => at(ip)));
      door = await openApiDoor((cmd, args) => lab.spawnReady('node', cmd, args), API_PORT, `127.0.0.1:${API_PORT}`);
      // The door listens on the node namespace's 127.0.0.1 at the API server's port: the kubeconfig's own URL.
      kubeconfig = cp.proxyKubeconfig;
      await cp.apply([withoutStatus(thisNode)]);
      await cp.kubectl(['patch', 'node', THIS_NODE, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: thisNode.status })]);
    });

    after(async () => {
      await door?.close();
      await lab?.destroy();
      await cp?.stop();
    });

    if (o.clusterChecks) test('the deploy manifests pass the real API server\'s validation (apply --dry-run=server)', async () => {
      const files = readdirSync(join(REPO_ROOT, 'deploy')).filter((f) => /\.ya?ml$/.test(f));
      for (const f of files) await cp.kubectl(['apply', '--dry-run=server', '-f', join(REPO_ROOT, 'deploy', f)]);
    });

    for (const [mode, modeFlags] of Object.entries(o.modes)) {
      describe(`${mode} mode`, () => {
        let proxy: RunningProxy | undefined;
        const explain = (what: string) => `${what}\n--- kproxy output ---\n${proxy?.logs().slice(-6000) ?? '(not started)'}`;
        /** Send `flow` until it behaves as `expect` says (the API is eventually consistent), at most `ms`. */
        const converges = async (flow: Flow, what: string, ms = 30_000) => {
          const deadline = Date.now() + ms;
          let problems: string[] = [];
          while (Date.now() < deadline) {
            problems = judgeFlow(flow.expect, await sendFlow(lab, flow), NODE_ADDRESSES);
            if (problems.length === 0) return;
            await sleep(300);
          }
          assert.fail(explain(`${what}: ${problems.join('; ')}`));
        };

        before(async () => {
          await lab.resetNode();
          await cp.apply([web, webSlice(local(A1), remote(B1))]);
          proxy = startProxyProcess(lab, process.execPath, [
            kproxyCliPath(),
            `--proxy-mode=${mode}`,
            `--kubeconfig=${kubeconfig}`,
            ...commonProxyFlags(THIS_NODE),
            ...modeFlags,
          ]);
        });

        after(async () => {
          await proxy?.stop();
          await cp.kubectl(['delete', 'services,endpointslices', '-n', 'default', '--field-selector', 'metadata.name!=kubernetes']);
        });

        test('converges as system:kube-proxy, with no forbidden request, and posts the start event', async () => {
          await converges(toWeb({ answeredBy: [at(A1), at(B1)], all: true }, 12), 'ClusterIP through the real API');
          assert.doesNotMatch(proxy!.logs(), /Forbidden|forbidden|\b403\b/, explain('kproxy needed more than the node-proxier rights'));
          assert.match(proxy!.logs(), /Selecting objects/, 'the selector form in use is logged');
          const events = JSON.parse(await cp.kubectl(['get', 'events.events.k8s.io', '-n', 'default', '-o', 'json'])) as { items: Record<string, unknown>[] };
          const mine = events.items.filter((e) => (e['regarding'] as { name?: string })?.name === THIS_NODE && e['reason'] === 'Starting');
          assert.ok(mine.length > 0, 'a Starting event regarding the Node');
          assert.equal(mine[0]!['reportingController'], 'kube-proxy');
        });

        test('endpoint and Service changes through the API reach the kernel', async () => {
          await cp.apply([webSlice(local(A2))]);
          await converges(toWeb({ answeredBy: [at(A2)] }), 'after the EndpointSlice changed');
          await cp.apply([service('web', { clusterIP: WEB_IP, ports: [port(80, 8080, { name: 'http' }), port(81, 8080, { name: 'alt' })] })]);
          await converges({ from: 'client', proto: 'tcp', to: `${WEB_IP}:81`, expect: { outcome: 'rejected' } }, 'a new port without endpoints rejects');
          await cp.apply([service('web', { clusterIP: WEB_IP, ports: [port(80, 8080)] })]);
          // A ClusterIP's unserved port: iptables and userspace mode do not capture it (lost on the lab's
          // uplink); nftables mode rejects it, as upstream's does for every port of a ClusterIP it does not
          // serve, and in IPVS mode the ClusterIP is a local address (kube-ipvs0), so the kernel resets.
          const unserved = mode === 'nftables' || mode === 'ipvs' ? 'rejected' : 'dropped';
          await converges({ from: 'client', proto: 'tcp', to: `${WEB_IP}:81`, expect: { outcome: unserved } }, 'the removed port is gone');
        });

        test('the API server killed: rules stay, /livez answers 200; after the restart new objects converge', async () => {
          await cp.killApiserver();
          await sleep(3000);
          await converges(toWeb({ answeredBy: [at(A2)] }), 'traffic during the outage', 5000);
          assert.equal(await httpStatus(lab, 'http://127.0.0.1:10256/livez'), 200, explain('/livez during the outage'));
          await cp.startApiserver();
          await cp.apply([service('api2', { clusterIP: '10.96.0.11', ports: [port(80, 8080)] }), slice('api2', [8080], [local(A1)])]);
          await converges({ from: 'client', proto: 'tcp', to: '10.96.0.11:80', expect: { answeredBy: [at(A1)] } }, 'a Service created after the restart', 60_000);
        });

        test('watches the server ends itself (graceful restart) resume without losing changes', async () => {
          await cp.restartApiserver('SIGTERM');
          await cp.apply([webSlice(local(A1), local(A2))]);
          await converges(toWeb({ answeredBy: [at(A1), at(A2)], all: true }, 12), 'a change after the server closed every watch', 60_000);
        });

        test('410 Gone after compaction: kproxy lists again and converges', async () => {
          door.hold();
          // Changes kproxy cannot see, then compaction and a fresh watch cache: its resourceVersion is gone.
          await cp.apply([webSlice(local(A2))]);
          await cp.apply([service('gone', { clusterIP: '10.96.0.12', ports: [port(80, 8080)] }), slice('gone', [8080], [local(A1)])]);
          await sleep(5000);
          await cp.restartApiserver();
          door.release();
          await converges(toWeb({ answeredBy: [at(A2)] }), 'the change made while kproxy was cut off', 90_000);
          await converges({ from: 'client', proto: 'tcp', to: '10.96.0.12:80', expect: { answeredBy: [at(A1)] } }, 'the Service created meanwhile', 30_000);
          assert.match(proxy!.logs(), /410 Gone; listing again/, explain('kproxy never met 410 Gone'));
        });
      });
    }

    if (o.clusterChecks) test('a paged list of 5,000 Services (nftables mode) programs every one of them', async () => {
      const count = 5000;
      progress(`creating ${count} Services`);
      const bulk: KubeObject[] = [];
      for (let i = 0; i < count; i++) {
        const s = service(`bulk-${i}`, { clusterIP: `10.97.${Math.floor(i / 250)}.${(i % 250) + 1}`, ports: [port(80, 8080)] });
        bulk.push({ ...s, metadata: { ...s.metadata, labels: { 'kpt-bulk': 'yes' } } });
      }
      await cp.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: bulk }), 600_000);
      await lab.resetNode();
      const proxy = startProxyProcess(lab, process.execPath, [
        kproxyCliPath(), '--proxy-mode=nftables', `--kubeconfig=${kubeconfig}`, ...commonProxyFlags(THIS_NODE), '-v=2',
      ]);
      try {
        progress('waiting for kproxy to program them');
        const deadline = Date.now() + 300_000;
        let listed = 0;
        while (Date.now() < deadline) {
          const m = /Listed objects from the API server.*type="\*v1\.Service".*count=(\d+)/.exec(proxy.logs());
          listed = m ? Number(m[1]) : 0;
          if (listed >= count) break;
          await sleep(500);
        }
        assert.ok(listed >= count, `kproxy listed ${listed} Services, expected at least ${count}\n${proxy.logs().slice(-3000)}`);
        // Without endpoints each one is a ClusterIP that rejects: an element of the cluster-ips set.
        let programmed = 0;
        while (Date.now() < deadline && programmed < count) {
          const { stdout } = await lab.exec('node', 'nft', ['list', 'set', 'ip', 'kproxy', 'cluster-ips'], 60_000).catch(() => ({ stdout: '' }));
          programmed = stdout.match(/10\.97\.\d+\.\d+/g)?.length ?? 0;
          if (programmed < count) await sleep(1000);
        }
        assert.equal(programmed, count, 'every listed Service is in the cluster-ips set');
      } finally {
        await proxy.stop();
      }
    });
  });
}

function withoutStatus(o: KubeObject): KubeObject {
  const { status: _status, ...rest } = o as KubeObject & { status?: unknown };
  return rest as KubeObject;
}

/** The HTTP status of GET `url` from inside the node namespace. */
async function httpStatus(lab: Lab, url: string): Promise<number> {
  const script = `fetch(${JSON.stringify(url)}).then((r) => console.log(r.status), () => console.log(0))`;
  const { stdout } = await lab.exec('node', process.execPath, ['-e', script]);
  return Number(stdout.trim());
}

function progress(what: string): void {
  process.stderr.write(`[real-apiserver] ${new Date().toISOString().slice(11, 19)} ${what}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
