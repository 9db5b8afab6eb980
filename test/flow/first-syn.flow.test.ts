// A Service without endpoints refuses the first SYN, every time (issue 13, finding 7): 100 connections,
// each judged "dropped" if no refusal comes before the client's first retransmit (1 s). The node's ICMP
// errors are rate limited per destination (net.ipv4.icmp_ratelimit, 1000 ms by default, a bucket of six):
// the tries must be spaced beyond it, which would take 100 s, so the test lowers the sysctl inside the
// node namespace (it is per network namespace) to 20 ms and spaces the tries 50 ms apart. A burst is
// measured too and printed, not judged: what it gets is the rate limiter's business (docs/compat.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_IP } from '../../src/lab/lab-addresses.js';
import { kproxyCliAdapter, type ModeAdapter } from './mode-adapter.js';
import { port, service, slice } from '../fixtures/objects.js';
import { useFlowLab } from './run-scenarios.js';
import type { Flow, Scenario } from './scenario.js';
import { sendFlow, withProxy } from './scenario-run.js';
import { A1, local, THIS_NODE, thisNode } from './scenario-fixtures.js';

const TRIES = 100;
/** Below the 1 s initial retransmission timeout: a refusal later than this answered a retransmit. */
const FIRST_SYN_MS = 800;

const tries: Flow = { from: 'client', fromIP: CLIENT_IP, proto: 'tcp', to: '10.96.0.20:80', count: TRIES, gapMs: 50, expect: { outcome: 'rejected' } };
/** A client address per test, one the node never answered before: the rate limiter keeps per-destination state. */
const freshClient = (i: number) => `10.77.0.${20 + i}`;
const scenario: Scenario = {
  name: 'first SYN',
  nodeName: THIS_NODE,
  objects: [
    thisNode,
    service('empty', { clusterIP: '10.96.0.20', ports: [port(80, 8080, { name: 'http' }), port(81, 8081, { name: 'other' })] }),
    // The lab needs one endpoint to start its backend.
    service('web', { clusterIP: '10.96.0.10', ports: [port(80, 8080)] }),
    slice('web', [8080], [local(A1)]),
  ],
  flows: [tries],
};

const MODES: readonly ModeAdapter[] = [
  kproxyCliAdapter({ mode: 'iptables', label: 'iptables (nft back end)', tools: ['iptables-nft-restore'], flags: ['--iptables-backend=nft'] }),
  kproxyCliAdapter({ mode: 'iptables', label: 'iptables (legacy back end)', tools: ['iptables-legacy-restore'], flags: ['--iptables-backend=legacy'] }),
  kproxyCliAdapter({ mode: 'nftables', tools: ['nft'] }),
];

describe('a Service without endpoints refuses the first SYN', () => {
  const lab = useFlowLab([scenario], () => MODES.map((a) => a.requirements()).find((r) => r !== undefined));
  for (const [i, adapter] of MODES.entries()) {
    test(`${adapter.label ?? adapter.mode}: ${TRIES} of ${TRIES} first SYNs refused`, async (t) => {
      const skip = lab.skipReason() ?? adapter.requirements();
      if (skip) return t.skip(skip);
      const l = lab.get();
      await l.exec('node', 'sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=20']);
      await l.exec('client', 'ip', ['addr', 'add', `${freshClient(i)}/24`, 'dev', 'c0']);
      const from = { ...tries, fromIP: freshClient(i) };
      try {
        await withProxy(l, adapter, scenario.objects, THIS_NODE, async (proxy) => {
          const results = await sendFlow(l, from, FIRST_SYN_MS);
          const late = results.flatMap((r, n) => (r.outcome === 'rejected' ? [] : [`#${n}: ${r.outcome}`]));
          assert.equal(late.length, 0, `${late.length} of ${TRIES} first SYNs got no refusal within ${FIRST_SYN_MS} ms: ${late.join(', ')}\n${proxy.logs()}`);
          // A burst, at the default rate limit, for the record.
          await l.exec('node', 'sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000']);
          const burst = await sendFlow(l, { ...from, to: '10.96.0.20:81', count: 20, gapMs: 1 }, FIRST_SYN_MS);
          t.diagnostic(`burst of 20 at the default rate limit: ${burst.filter((r) => r.outcome === 'rejected').length} refused at once`);
        });
      } finally {
        await l.exec('node', 'sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000']);
      }
    });
  }
});
