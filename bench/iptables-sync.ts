// Benchmark of the iptables mode: render (no root) and, as root, restore into a throw-away network
// namespace, for N Services x 5 endpoints; a full sync, then a partial sync where one endpoint changed.
// Usage: node dist/bench/iptables-sync.js [1000,5000,10000] [nft|legacy]

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { IptablesExecutor } from '../src/modes/iptables/executor.js';
import { IptablesRenderer } from '../src/modes/iptables/renderer.js';
import type { Endpoint, ServicePort, Snapshot } from '../src/model/types.js';

function endpoint(ip: string): Endpoint {
  return { ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: undefined, zone: undefined, zoneHints: [], nodeHints: [], isLocal: false };
}

function port(i: number, eps: Endpoint[]): ServicePort {
  const name = `svc-${i}`;
  return {
    key: `bench/${name}:http`, namespace: 'bench', name, portName: 'http', family: 'IPv4', protocol: 'TCP', type: 'ClusterIP',
    clusterIP: `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [],
    loadBalancerSourceRanges: [], sessionAffinity: { type: 'None' }, externalPolicyLocal: false, internalPolicyLocal: false,
    healthCheckNodePort: 0, scheduler: 'rr', endpoints: eps,
    selection: { cluster: eps, local: [], allReachable: eps, hasAny: true, notes: [] },
  };
}

function snapshotOf(ports: ServicePort[], changed: string[], generation: number): Snapshot {
  return {
    generation,
    node: { name: 'bench', labels: {}, addresses: [], podCIDRs: [], terminating: false },
    families: { IPv4: { family: 'IPv4', servicePorts: new Map(ports.map((p) => [p.key, p])) }, IPv6: { family: 'IPv6', servicePorts: new Map() } },
    changed: new Set(changed), staleUDP: new Set(), triggerTimes: new Map(),
  };
}

const ms = (start: bigint): string => (Number(process.hrtime.bigint() - start) / 1e6).toFixed(0);
const rssMB = (): string => (process.resourceUsage().maxRSS / 1024).toFixed(0);

async function run(n: number, backend: 'nft' | 'legacy', root: boolean): Promise<void> {
  const ports = Array.from({ length: n }, (_, i) => port(i, [1, 2, 3, 4, 5].map((e) => endpoint(`10.${(i >> 8) & 255}.${i & 255}.${e}`))));
  const renderer = new IptablesRenderer({ detectLocal: { mode: 'ClusterCIDR', clusterCIDR: '10.0.0.0/8', bridgeInterface: '', interfaceNamePrefix: '' } });
  const first = snapshotOf(ports, ports.map((p) => p.key), 1);
  let t = process.hrtime.bigint();
  const fullProgram = renderer.render({ snapshot: first, previous: undefined, full: true });
  const renderFull = ms(t);
  const changedPorts = [...ports];
  const eps = [...ports[0]!.endpoints];
  eps[4] = endpoint('10.255.255.5');
  changedPorts[0] = port(0, eps);
  const second = snapshotOf(changedPorts, [changedPorts[0]!.key], 2);
  t = process.hrtime.bigint();
  const partialProgram = renderer.render({ snapshot: second, previous: first, full: false });
  const renderPartial = ms(t);
  let restoreFull = '-';
  let restorePartial = '-';
  if (root) {
    const ns = `kpt-ipt-bench-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const ex = new IptablesExecutor({ netns: ns, backend, conntrackCleanup: false });
      await ex.resolveBackend();
      t = process.hrtime.bigint();
      await ex.apply(fullProgram, { snapshot: first, previous: undefined, full: true });
      restoreFull = ms(t);
      t = process.hrtime.bigint();
      await ex.apply(partialProgram, { snapshot: second, previous: first, full: false });
      restorePartial = ms(t);
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  }
  console.log(`${n} svc x 5 ep: render full ${renderFull} ms, partial ${renderPartial} ms; restore (${backend}) full ${restoreFull} ms, partial ${restorePartial} ms; peak RSS ${rssMB()} MB`);
}

const sizes = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
const backend = process.argv[3] === 'legacy' ? 'legacy' : 'nft';
const root = process.getuid?.() === 0;
if (!root) console.log('not root: restores are skipped');
for (const n of sizes) await run(n, backend, root);
