// Runs inside user-mode Linux (ipvs-sync-bench.ts starts it as `node ipvs-sync-in-uml.js SIZES`): the IPVS
// mode against the iptables mode (legacy back end, the only one the UML kernel has) in the same kernel.
// For N Services x 5 endpoints: a full sync into an empty namespace, then a sync where one endpoint
// changed; then the per-connection latency through the last Service with 100 and 4,000 Services programmed.

import { execFileSync } from 'node:child_process';
import { IptablesExecutor } from '../dataplane/iptables/executor.js';
import { IptablesRenderer } from '../dataplane/iptables/renderer.js';
import { createIpvsDataPlane } from '../dataplane/ipvs/index.js';
import type { Endpoint, ServicePort, Snapshot } from '../model/types.js';
import { modelEndpoint as endpoint, modelServicePort, portMap, snapshotOf as benchSnapshot } from './sync-snapshots.js';
import type { Renderer, Executor } from '../dataplane/types.js';
import type { SyncTimings } from '../dataplane/ipvs/sync-timings.js';
import { CLIENT_IP, Lab, NODE_IP } from '../lab/node-lab.js';

const BACKEND = '10.244.1.11';
const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.244.0.0/16', bridgeInterface: '', interfaceNamePrefix: '' };

const port = (i: number, eps: Endpoint[]): ServicePort => modelServicePort(i, eps, 'rr', `10.96.${(i >> 8) & 255}.${i & 255}`);
const snapshotOf = (list: ServicePort[], changed: string[], generation: number): Snapshot => benchSnapshot(portMap(list), changed, generation, [NODE_IP]);

/** N services; the last one's endpoints are all the lab's real backend (for latency). */
function ports(n: number): ServicePort[] {
  return Array.from({ length: n }, (_, i) => {
    const ips = i === n - 1 ? [BACKEND] : [1, 2, 3, 4, 5].map((e) => `10.${100 + ((i >> 8) & 127)}.${i & 255}.${e}`);
    return port(i, ips.map(endpoint));
  });
}

interface Plane { renderer: Renderer<unknown>; executor: Executor<unknown> }

function planeFor(mode: 'ipvs' | 'iptables', ns: string): Plane {
  if (mode === 'ipvs') {
    const dp = createIpvsDataPlane({ netns: ns, detectLocal, nodeIPs: [NODE_IP], iptablesBackend: 'legacy', localAddresses: () => [{ address: NODE_IP, interface: 'n0' }] });
    return dp as unknown as Plane;
  }
  const renderer = new IptablesRenderer({ detectLocal, nodeIPs: [NODE_IP], conntrackTCPLiberal: true, randomFully: false });
  return { renderer, executor: new IptablesExecutor({ netns: ns, backend: 'legacy' }) } as unknown as Plane;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** The IPVS executor's per-step times ("" for the iptables mode), to see which tool a sync waited for. */
function stepsOf(plane: Plane): string {
  const t = (plane.executor as { lastTimings?: Partial<SyncTimings> }).lastTimings;
  if (!t?.steps) return '';
  const steps = Object.entries(t.steps).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  return ` [${steps}; ${t.toolRuns} tool runs]`;
}

async function timedSync(plane: Plane, snapshot: Snapshot, previous: Snapshot | undefined): Promise<{ render: number; apply: number; steps: string }> {
  const input = { snapshot, previous, full: previous === undefined };
  let t = process.hrtime.bigint();
  const program = plane.renderer.render(input);
  const render = ms(t);
  t = process.hrtime.bigint();
  await plane.executor.apply(program, input);
  return { render, apply: ms(t), steps: stepsOf(plane) };
}

/** Mean ms per TCP connection (connect, request, answer) from the client to `to`, over `count` connections. */
function latency(lab: Lab, to: string, count: number): number {
  const script = `const net=require('net');let i=0;const t0=process.hrtime.bigint();(function go(){if(i++>=${count}){console.log(Number(process.hrtime.bigint()-t0)/1e6/${count});return;}const s=net.connect({host:'${to}',port:80,localAddress:'${CLIENT_IP}'},()=>s.write('x\\n'));s.on('data',()=>{s.destroy();go();});s.on('error',(e)=>{console.log('error '+e.message);process.exit(1);});})();`;
  return Number(execFileSync('ip', ['netns', 'exec', lab.ns.client, process.execPath, '-e', script], { encoding: 'utf8' }).trim());
}

async function syncBench(mode: 'ipvs' | 'iptables', n: number, lab: Lab): Promise<string> {
  const plane = planeFor(mode, lab.ns.node);
  const list = ports(n);
  const first = snapshotOf(list, list.map((p) => p.key), 1);
  const full = await timedSync(plane, first, undefined);
  const changed = [...list];
  changed[0] = port(0, [...list[0]!.endpoints.slice(0, 4), endpoint('10.99.99.99')]);
  const partial = await timedSync(plane, snapshotOf(changed, [changed[0].key], 2), first);
  const lat = latency(lab, list[n - 1]!.clusterIP, 200);
  await plane.executor.cleanup().catch(() => undefined);
  return `${mode.padEnd(8)} ${String(n).padStart(5)} svc x 5 ep: full sync ${full.apply.toFixed(0)} ms (render ${full.render.toFixed(0)})${full.steps}, one endpoint changed ${partial.apply.toFixed(0)} ms (render ${partial.render.toFixed(0)})${partial.steps}; ${lat.toFixed(3)} ms per connection to the last Service`;
}

/** Both modes at each size, one line each, in one lab. */
export async function compareIpvsWithIptables(sizes: readonly number[]): Promise<void> {
  const lab = await Lab.create({ podIPs: [BACKEND], clientPodIPs: [] });
  try {
    await lab.startBackend([`${BACKEND}:8080`]);
    for (const n of sizes) for (const mode of ['iptables', 'ipvs'] as const) console.log(await syncBench(mode, n, lab));
  } finally {
    await lab.destroy();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await compareIpvsWithIptables((process.argv[2] ?? '100,1000,4000,5000').split(',').map(Number));
}
