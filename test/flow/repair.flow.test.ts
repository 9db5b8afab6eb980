// Rules someone else damages come back within one sync period, without a restart (issue 13, finding 1).
// kproxy runs as the real CLI in the lab's node namespace with a 3 s sync period; each test damages what
// it programmed the way an operator or another tool might (a flushed table, chain or map), proves the
// damage broke traffic, then waits at most one sync period (plus the sync's own time) for a ClusterIP to
// answer and a Service without endpoints to refuse again, and for the repair to be logged and counted.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_IP } from '../../src/lab/lab-addresses.js';
import type { Lab } from '../../src/lab/node-lab.js';
import { kproxyCliAdapter, type ModeAdapter } from './mode-adapter.js';
import { port, service, slice } from '../fixtures/objects.js';
import { useFlowLab } from './run-scenarios.js';
import type { Flow, Scenario } from './scenario.js';
import { sendFlow, withProxy } from './scenario-run.js';
import { A1, at, local, THIS_NODE, thisNode } from './scenario-fixtures.js';

const SYNC_PERIOD_S = 3;
/** A full sync of two Services takes well under this on a loaded 2-core machine. */
const SYNC_SLACK_MS = 4000;

const answered: Flow = { from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: '10.96.0.10:80', expect: { answeredBy: [at(A1)] } };
const refused: Flow = { from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: '10.96.0.20:80', expect: { outcome: 'rejected' } };

const scenario: Scenario = {
  name: 'repair',
  nodeName: THIS_NODE,
  objects: [
    thisNode,
    service('web', { clusterIP: '10.96.0.10', ports: [port(80, 8080)] }),
    slice('web', [8080], [local(A1)]),
    service('empty', { clusterIP: '10.96.0.20', ports: [port(80, 8080)] }),
    slice('empty', [8080], []),
  ],
  flows: [answered, refused],
};

/** Every kind of element and chain a Service can need, for the no-false-repair check. */
const busyObjects = [
  ...scenario.objects,
  service('lb', { clusterIP: '10.96.0.30', type: 'LoadBalancer', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
    externalIPs: ['203.0.113.30'], loadBalancerSourceRanges: [`${CLIENT_IP}/32`], ports: [port(80, 8080, { nodePort: 30080 })] }, [{ ip: '203.0.113.31' }]),
  slice('lb', [8080], [local(A1)]),
];

interface Damage {
  /** The command run in the node namespace. */
  readonly command: readonly [string, ...string[]];
  /** Which of the two flows the damage breaks (both are checked after the repair). */
  readonly breaks: 'answered' | 'refused';
  /** The repair counter's reason label this damage must be counted under. */
  readonly reason: RegExp;
}

const NFT_DAMAGE: readonly Damage[] = [
  { command: ['nft', 'flush', 'table', 'ip', 'kproxy'], breaks: 'answered', reason: /missing-rules/ },
  { command: ['nft', 'flush', 'chain', 'ip', 'kproxy', 'nat-prerouting'], breaks: 'answered', reason: /missing-rules/ },
  { command: ['nft', 'flush', 'map', 'ip', 'kproxy', 'service-ips'], breaks: 'answered', reason: /missing-elements/ },
  { command: ['nft', 'flush', 'chain', 'ip', 'kproxy', 'filter-forward'], breaks: 'refused', reason: /missing-rules/ },
];

const IPTABLES_DAMAGE: readonly Damage[] = [
  { command: ['iptables', '-t', 'nat', '-F', 'KUBE-SERVICES'], breaks: 'answered', reason: /missing-rules/ },
  { command: ['iptables', '-t', 'filter', '-F', 'KUBE-SERVICES'], breaks: 'refused', reason: /missing-rules/ },
  { command: ['iptables', '-t', 'nat', '-F', 'PREROUTING'], breaks: 'answered', reason: /missing-jump/ },
  { command: ['iptables', '-t', 'filter', '-F'], breaks: 'refused', reason: /missing-(rules|jump)/ },
];

const flags = [`--iptables-sync-period=${SYNC_PERIOD_S}s`, '--iptables-min-sync-period=0s'];
const MODES: readonly [ModeAdapter, readonly Damage[]][] = [
  [kproxyCliAdapter({ mode: 'nftables', tools: ['nft'], flags, stateCommands: [['nft', 'list', 'table', 'ip', 'kproxy']] }), NFT_DAMAGE],
  [
    kproxyCliAdapter({ mode: 'iptables', tools: ['iptables-restore'], flags, stateCommands: [['iptables-save']] }),
    IPTABLES_DAMAGE,
  ],
];

async function outcome(lab: Lab, flow: Flow): Promise<string> {
  const [result] = await sendFlow(lab, flow);
  return result?.outcome === 'answered' ? `answered by ${result.endpoint}` : (result?.outcome ?? 'nothing');
}

const WANTED = { answered: `answered by ${at(A1)}`, refused: 'rejected' } as const;

async function metrics(lab: Lab): Promise<string> {
  const script = "fetch('http://127.0.0.1:10249/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))";
  return (await lab.exec('node', process.execPath, ['-e', script])).stdout;
}

describe('kproxy repairs rules flushed by someone else within one sync period', () => {
  const lab = useFlowLab([scenario], () => MODES.map(([a]) => a.requirements()).find((r) => r !== undefined));
  for (const [adapter] of MODES) {
    // A check that finds damage where there is none would rewrite everything every sync period.
    test(`${adapter.mode}: intact rules are never repaired`, async (t) => {
      const skip = lab.skipReason() ?? adapter.requirements();
      if (skip) return t.skip(skip);
      await withProxy(lab.get(), adapter, busyObjects, THIS_NODE, async (proxy) => {
        const since = Date.now();
        await new Promise((r) => setTimeout(r, 2 * SYNC_PERIOD_S * 1000 + 1000));
        await proxy.waitForSync(since + 2 * SYNC_PERIOD_S * 1000);
        assert.doesNotMatch(proxy.logs(), /Repairing proxy rules/);
      });
    });
  }
  for (const [adapter, damages] of MODES) {
    for (const damage of damages) {
      test(`${adapter.mode}: ${damage.command.join(' ')}`, async (t) => {
        const skip = lab.skipReason() ?? adapter.requirements();
        if (skip) return t.skip(skip);
        const l = lab.get();
        // The polling below asks for many refusals: without this the node's per-destination ICMP rate limit
        // (per network namespace) would drop some of them and make a repaired Service look broken.
        await l.exec('node', 'sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=0']);
        await withProxy(l, adapter, scenario.objects, THIS_NODE, async (proxy) => {
          for (const which of ['answered', 'refused'] as const) assert.equal(await outcome(l, which === 'answered' ? answered : refused), WANTED[which]);

          const [cmd, ...args] = damage.command;
          await l.exec('node', cmd, args);
          const damagedAt = Date.now();
          const broken = await outcome(l, damage.breaks === 'answered' ? answered : refused);
          assert.notEqual(broken, WANTED[damage.breaks], `the damage must break traffic (else this test proves nothing)`);

          const deadline = damagedAt + SYNC_PERIOD_S * 1000 + SYNC_SLACK_MS;
          let now = { answered: broken, refused: broken };
          while (Date.now() < deadline) {
            now = { answered: await outcome(l, answered), refused: await outcome(l, refused) };
            if (now.answered === WANTED.answered && now.refused === WANTED.refused) break;
            await new Promise((r) => setTimeout(r, 300));
          }
          const logs = proxy.logs();
          assert.deepEqual(now, WANTED, `not repaired within ${SYNC_PERIOD_S} s + ${SYNC_SLACK_MS} ms; kproxy output:\n${logs}`);
          const text = await metrics(l);
          const counted = text.split('\n').filter((line) => line.startsWith(`kproxy_sync_repairs_total{mode="${adapter.mode}"`));
          assert.ok(counted.some((line) => damage.reason.test(line) && !line.endsWith(' 0')), `repair counted under ${damage.reason}:\n${counted.join('\n')}`);
          const repairLines = logs.split('\n').filter((line) => line.includes('Repairing proxy rules'));
          assert.equal(repairLines.length, 1, `one repair log line:\n${logs}`);
        });
      });
    }
  }
});
