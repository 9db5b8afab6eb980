// Benchmark of the nftables mode, as root, in a throw-away network namespace:
//  1. peak RSS after a full sync of 10,000 Services x 5 endpoints;
//  2. full sync (render + nft) of N Services x 5 endpoints (default 30,000), wall time;
//  3. one endpoint changed at N Services: render + transaction until nft returns, p50/p99 over 50 changes;
//  4. connection latency to the last-created Service at N vs 100 Services (node-originated TCP, mean of 400).
// Usage: node dist/bench/nftables-sync.js [N]

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createNftablesDataPlane } from '../src/modes/nftables/index.js';
import type { Endpoint, ServicePort, Snapshot } from '../src/model/types.js';

const EP_IPS = ['10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5'];
const NS = `kpt-nftbench-${randomBytes(3).toString('hex')}`;
const inNs = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8' });

function endpoint(ip: string, port = 8080): Endpoint {
  return { ip, port, ready: true, serving: true, terminating: false, nodeName: undefined, zone: undefined, zoneHints: [], nodeHints: [], isLocal: false };
}

function port(i: number, eps: Endpoint[]): ServicePort {
  const name = `svc-${i}`;
  return {
    key: `bench/${name}:http`, namespace: 'bench', name, portName: 'http', family: 'IPv4', protocol: 'TCP', type: 'ClusterIP',
    clusterIP: `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [],
    loadBalancerSourceRanges: [], sessionAffinity: { type: 'None' }, externalPolicyLocal: false, internalPolicyLocal: false,
    healthCheckNodePort: 0, scheduler: '', endpoints: eps,
    selection: { cluster: eps, local: [], allReachable: eps, hasAny: true, notes: [] },
  };
}

function snapshotOf(ports: Map<string, ServicePort>, changed: string[], generation: number): Snapshot {
  return {
    generation,
    node: { name: 'bench', labels: {}, addresses: [], podCIDRs: [], terminating: false },
    families: { IPv4: { family: 'IPv4', servicePorts: ports }, IPv6: { family: 'IPv6', servicePorts: new Map() } },
    changed: new Set(changed), staleUDP: new Set(), triggerTimes: new Map(),
  };
}

function cluster(n: number): Map<string, ServicePort> {
  const eps = EP_IPS.map((ip) => endpoint(ip));
  return new Map(Array.from({ length: n }, (_, i) => port(i, eps)).map((p) => [p.key, p]));
}

async function fullSync(n: number) {
  spawnSync('ip', ['netns', 'exec', NS, 'nft', 'flush', 'ruleset']);
  const dp = createNftablesDataPlane({ netns: NS, families: ['IPv4'], conntrackCleanup: false });
  const ports = cluster(n);
  const snap = snapshotOf(ports, [], 1);
  const t0 = performance.now();
  const input = { snapshot: snap, previous: undefined, full: true };
  await dp.executor.apply(dp.renderer.render(input), input);
  return { dp, ports, snap, ms: performance.now() - t0 };
}

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
function latencyMs(ip: string, n = 400): number {
  inNs(process.execPath, '-e', CLIENT, ip, '50'); // warm up
  return Number(inNs(process.execPath, '-e', CLIENT, ip, String(n)).trim());
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 30000);
  execFileSync('ip', ['netns', 'add', NS]);
  const server = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e',
    `const net=require('net');for(const ip of ${JSON.stringify(EP_IPS)})for(const p of [8080,8081,8082])net.createServer(s=>s.end('x')).listen(p,ip);console.log('up')`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('ip', 'link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e1');
    inNs('ip', 'link', 'set', 'e0', 'up');
    inNs('ip', 'link', 'set', 'e1', 'up');
    for (const ip of EP_IPS) inNs('ip', 'addr', 'add', `${ip}/32`, 'dev', 'e0');
    inNs('ip', 'route', 'add', '10.96.0.0/12', 'dev', 'e0');
    await new Promise((resolve) => server.stdout!.once('data', resolve));

    const tenK = await fullSync(10_000);
    console.log(`full sync 10000 x 5: ${tenK.ms.toFixed(0)} ms; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    const small = await fullSync(100);
    const lat100 = latencyMs('10.96.0.99');
    const big = await fullSync(n);
    console.log(`full sync ${n} x 5 (render + nft): ${big.ms.toFixed(0)} ms`);
    const changes = await endpointChanges(big, 50);
    const pct = (p: number) => changes[Math.min(changes.length - 1, Math.floor(p * changes.length))]!.toFixed(1);
    console.log(`one endpoint change at ${n}: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${changes[changes.length - 1]!.toFixed(1)} ms`);
    const last = [...big.ports.values()][n - 1]!.clusterIP;
    const latBig = latencyMs(last);
    console.log(`connect+reply latency, last Service: ${lat100.toFixed(3)} ms at 100, ${latBig.toFixed(3)} ms at ${n}; ratio ${(latBig / lat100).toFixed(3)}`);
    void small;
  } finally {
    server.kill();
    spawnSync('ip', ['netns', 'del', NS]);
  }
}

await main();
