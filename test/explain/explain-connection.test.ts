// explainConnection's answer about the mode's program: the tracer's verdict when the mode has one, a
// sentence saying there is none (not a failure) when it has not, and the tracer's own refusal passed on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainConnection, type ExplainInput } from '../../src/explain/explain-connection.js';
import { TraceUnsupported, type PacketTracer } from '../../src/explain/trace.js';
import type { Snapshot } from '../../src/model/types.js';
import { endpoint, servicePort } from '../fixtures/service-ports.js';

const SP = servicePort({ name: 'web', clusterIP: '10.96.0.20', port: 80, endpoints: [endpoint('10.244.0.5', 8080)] });
const SNAPSHOT: Snapshot = {
  generation: 1,
  node: { name: 'node-a', labels: {}, addresses: [], podCIDRs: [], terminating: false },
  families: { IPv4: { family: 'IPv4', servicePorts: new Map([[SP.key, SP]]) }, IPv6: { family: 'IPv6', servicePorts: new Map() } },
  changed: new Set(),
  staleUDP: new Set(),
  triggerTimes: new Map(),
};

function input(tracer: PacketTracer<unknown> | undefined): ExplainInput {
  return {
    mode: 'nftables',
    snapshot: SNAPSHOT,
    destination: { ip: '10.96.0.20', port: 80, protocol: 'TCP' },
    source: '10.244.0.2',
    origin: 'pod',
    detectsLocalPods: false,
    node: { localAddresses: ['192.0.2.10'], nodePortAddresses: 'all', localhostNodePorts: false },
    errors: [],
    rawServices: [],
    slicesOf: () => [],
    program: { rules: 'the program' },
    tracer,
  };
}

test('without a tracer for the mode, explain says so and still answers from the model', () => {
  const r = explainConnection(input(undefined));
  assert.deepEqual(r.trace, { status: 'no-tracer', message: 'no packet tracer for mode nftables yet: the kernel objects, masquerade and reject/drop decision are not shown' });
  assert.equal(r.expected.outcome, 'answered');
});

test("the tracer gets the program and the connection; its verdict and its refusal are passed on", () => {
  let seen: unknown;
  const verdict = { outcome: 'answered' as const, endpoints: ['10.244.0.5:8080'], masqueraded: true, sticky: false, steps: [{ where: 'inet kube-proxy services', rule: 'ip daddr 10.96.0.20 ...' }] };
  const traced = explainConnection(input({ trace: (program, connection, node) => ((seen = { program, connection, node }), verdict) }));
  assert.deepEqual(traced.trace, { status: 'traced', verdict });
  assert.deepEqual(seen, {
    program: { rules: 'the program' },
    connection: { protocol: 'TCP', destination: '10.96.0.20', port: 80, source: '10.244.0.2', origin: 'pod' },
    node: { localAddresses: ['192.0.2.10'] },
  });
  const refused = explainConnection(input({ trace: () => { throw new TraceUnsupported('rule with "quota" not modelled'); } }));
  assert.deepEqual(refused.trace, { status: 'unsupported', message: 'rule with "quota" not modelled' });
});
