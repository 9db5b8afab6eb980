// Benchmark of the nftables mode, as root, in throw-away network namespaces:
//  1. peak RSS after a full sync of 10,000 Services x 5 endpoints;
//  2. full sync (render + nft) of N Services x 5 endpoints (default 30,000), wall time;
//  3. one endpoint changed at N Services: render + transaction until nft returns, p50/p99 over 200 changes;
//  4. the same from the model's point of view (issue 4): an EndpointSlice change given to a ServiceModel
//     holding N Services (upsert) through buildSnapshot, render and apply until the kernel has it, as a
//     Proxier with minSyncPeriod 0 does, p50/p99 over 200 changes;
//  5. connection latency to the last-created Service at N vs 100 Services (node-originated TCP, mean of 400
//     per round, median of 9 rounds alternating between two namespaces).
// bench/nftables-sync.ts parses the command line and calls runNftablesSyncBench.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createNftablesDataPlane } from '../dataplane/nftables/index.js';
import type { Endpoint, ServicePort, Snapshot } from '../model/types.js';
import { modelEndpoint as endpoint, modelServicePort, snapshotOf as benchSnapshot } from './sync-snapshots.js';
import { LABEL_SERVICE_NAME, type EndpointSlice, type Service } from '../model/objects.js';
import { ServiceModel } from '../model/service-model.js';
import { NamespaceSet } from '../lab/namespace-set.js';
import { addVethAddresses } from '../lab/veth-addresses.js';

const EP_IPS = ['10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5'];
/** The address the model benchmark swaps the fifth endpoint with (served too). */
const SPARE_IP = '10.244.0.6';
/** `big` holds the N Services; `small` holds 100, so the latency comparison can alternate between the two. */
type Place = 'big' | 'small';
const inNamespace = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });

const port = (i: number, eps: Endpoint[]): ServicePort => modelServicePort(i, eps, '', `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
const snapshotOf = (ports: Map<string, ServicePort>, changed: string[], generation: number): Snapshot => benchSnapshot(ports, changed, generation, []);

function cluster(n: number): Map<string, ServicePort> {
  const eps = EP_IPS.map((ip) => endpoint(ip));
  return new Map(Array.from({ length: n }, (_, i) => port(i, eps)).map((p) => [p.key, p]));
}

async function fullSync(n: number, ns: string) {
  spawnSync('ip', ['netns', 'exec', ns, 'nft', 'flush', 'ruleset']);
  const dp = createNftablesDataPlane({ netns: ns, families: ['IPv4'], conntrackCleanup: false });
  const ports = cluster(n);
  const snap = snapshotOf(ports, [], 1);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const input = { snapshot: snap, previous: undefined, full: true };
  const program = dp.renderer.render(input);
  const renderMs = performance.now() - t0;
  await dp.executor.apply(program, input);
  const cpu = process.cpuUsage(cpu0);
  // kproxy's own CPU (render, script text, bookkeeping); the rest of the wall time is nft and waiting.
  const ownCpuMs = (cpu.user + cpu.system) / 1000;
  return { dp, ports, snap, ms: performance.now() - t0, renderMs, ownCpuMs, bytes: dp.executor.lastScript.length };
}

const clusterIPOf = (i: number) => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

function serviceObject(i: number): Service {
  const ip = clusterIPOf(i);
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'bench' },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
  };
}

function sliceObject(i: number, ips: readonly string[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `svc-${i}-x`, namespace: 'bench', labels: { [LABEL_SERVICE_NAME]: `svc-${i}` } },
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  };
}

/** Event to kernel through the real model: upsert, buildSnapshot, render, apply (minSyncPeriod 0). */
async function modelChanges(n: number, rounds: number, ns: string): Promise<{ full: number; times: number[] }> {
  spawnSync('ip', ['netns', 'exec', ns, 'nft', 'flush', 'ruleset']);
  const model = new ServiceModel({ hostname: 'bench', defaultScheduler: '', serviceProxyName: '', ipFamilies: ['IPv4'] });
  const objects = Array.from({ length: n }, (_, i) => [serviceObject(i), sliceObject(i, EP_IPS)]).flat();
  model.replace('bench', objects);
  const dp = createNftablesDataPlane({ netns: ns, families: ['IPv4'], conntrackCleanup: false });
  const sync = async (previous: Snapshot | undefined): Promise<Snapshot> => {
    const snapshot = model.buildSnapshot();
    const input = { snapshot, previous, full: previous === undefined };
    await dp.executor.apply(dp.renderer.render(input), input);
    return snapshot;
  };
  let t0 = performance.now();
  let last = await sync(undefined);
  const full = performance.now() - t0;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const i = (r * 7919) % n;
    const slice = sliceObject(i, [...EP_IPS.slice(0, 4), SPARE_IP]);
    t0 = performance.now();
    model.upsert('bench', slice);
    last = await sync(last);
    times.push(performance.now() - t0);
    if (last.changed.size !== 1) throw new Error(`expected one changed service port, got ${last.changed.size}`);
    // Put it back outside the measurement, so the last Service still answers for the latency check.
    model.upsert('bench', sliceObject(i, EP_IPS));
    last = await sync(last);
  }
  await dp.executor.close();
  return { full, times: times.sort((a, b) => a - b) };
}

const percentile = (sorted: readonly number[], p: number): string => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);

async function endpointChanges(state: Awaited<ReturnType<typeof fullSync>>, rounds: number): Promise<number[]> {
  let { snap } = state;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const victim = [...state.ports.values()][(r * 7919) % state.ports.size]!;
    const eps = [...victim.endpoints.slice(0, 4), endpoint(EP_IPS[4]!, 8080 + (r % 2) + 1)];
    const ports = new Map(snap.families.IPv4.servicePorts);
    ports.set(victim.key, { ...victim, endpoints: eps, selection: { ...victim.selection, cluster: eps, allReachable: eps } });
    const next = snapshotOf(ports, [victim.key], snap.generation + 1);
    const t0 = performance.now();
    const input = { snapshot: next, previous: snap, full: false };
    await state.dp.executor.apply(state.dp.renderer.render(input), input);
    times.push(performance.now() - t0);
    snap = next;
  }
  return times.sort((a, b) => a - b);
}

const CLIENT = `const net=require('net');const [ip,n]=process.argv.slice(1);(async()=>{let total=0;for(let i=0;i<+n;i++){const t=process.hrtime.bigint();await new Promise(r=>{const s=net.connect(80,ip);s.on('data',()=>{});s.on('end',r);s.on('error',r)});total+=Number(process.hrtime.bigint()-t)}console.log(total/+n/1e6)})()`;
function latencyMs(ns: string, ip: string, n = 400): number {
  inNamespace(ns, process.execPath, '-e', CLIENT, ip, '50'); // warm up
  return Number(inNamespace(ns, process.execPath, '-e', CLIENT, ip, String(n)).trim());
}

/** Alternating rounds in the two namespaces, medians: other load on the machine hits both alike. */
function latencyRatio(ns: Readonly<Record<Place, string>>, bigIP: string, rounds = 9): { small: number; big: number } {
  const small: number[] = [];
  const big: number[] = [];
  for (let r = 0; r < rounds; r++) {
    small.push(latencyMs(ns.small, '10.96.0.99'));
    big.push(latencyMs(ns.big, bigIP));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  return { small: median(small), big: median(big) };
}

const SERVER = `const net=require('net');for(const ip of ${JSON.stringify([...EP_IPS, SPARE_IP])})for(const p of [8080,8081,8082])net.createServer(s=>s.end('x')).listen(p,ip);console.log('up')`;

/** Each namespace: the endpoint addresses on a veth, and a TCP server on them. */
async function wire(lab: NamespaceSet<Place>): Promise<void> {
  for (const place of ['big', 'small'] as const) {
    await addVethAddresses(lab, place, { device: 'e0', peer: 'e1', addresses: [...EP_IPS, SPARE_IP], routes: ['10.96.0.0/12'] });
    // After the addresses exist: the server listens on them.
    await lab.spawnReady(place, process.execPath, ['-e', SERVER], { marker: 'up' });
  }
}

/** The whole benchmark for N Services, printing one line per measurement. */
export async function runNftablesSyncBench(n: number): Promise<void> {
  const lab = await NamespaceSet.create(['big', 'small'], 'kpt-nftbench-', wire);
  const { big: bigNs, small: smallNs } = lab.ns;
  try {
    // Wall times depend on what else runs: say so next to them.
    console.log(`${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const tenK = await fullSync(10_000, bigNs);
    console.log(`full sync 10000 x 5: ${tenK.ms.toFixed(0)} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    await tenK.dp.executor.close();
    const small = await fullSync(100, smallNs);
    await small.dp.executor.close();
    const big = await fullSync(n, bigNs);
    console.log(`full sync ${n} x 5 (render + nft): ${big.ms.toFixed(0)} ms (render ${big.renderMs.toFixed(0)} ms, kproxy CPU ${big.ownCpuMs.toFixed(0)} ms, script ${(big.bytes / 1e6).toFixed(1)} MB)`);
    const changes = await endpointChanges(big, 200);
    console.log(`one endpoint change at ${n} (render + apply): p50 ${percentile(changes, 0.5)} ms, p99 ${percentile(changes, 0.99)} ms, max ${changes[changes.length - 1]!.toFixed(1)} ms`);
    const lat = latencyRatio(lab.ns, [...big.ports.values()][n - 1]!.clusterIP);
    console.log(`connect+reply latency, last Service (median of 9 alternating rounds): ${lat.small.toFixed(3)} ms at 100, ${lat.big.toFixed(3)} ms at ${n}; ratio ${(lat.big / lat.small).toFixed(3)}`);
    await big.dp.executor.close();
    const viaModel = await modelChanges(n, 200, bigNs);
    console.log(`model: full sync ${n} from buildSnapshot: ${viaModel.full.toFixed(0)} ms`);
    const t = viaModel.times;
    console.log(`one EndpointSlice change at ${n}, upsert to kernel: p50 ${percentile(t, 0.5)} ms, p99 ${percentile(t, 0.99)} ms, max ${t[t.length - 1]!.toFixed(1)} ms`);
  } finally {
    await lab.destroy();
  }
}
