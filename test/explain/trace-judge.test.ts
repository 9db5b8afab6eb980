// The rules that judge a trace against a flow's expectation, and the lab facts a trace starts from. Pure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceVerdict } from '../../src/explain/trace.js';
import { CLIENT_IP, CLIENT_IP6, CLIENT_POD_IP, NODE_IP, NODE_IP6, NODE_POD_GATEWAY } from '../../src/lab/lab-addresses.js';
import type { LabPlan } from '../flow/manifests.js';
import { connectionOf, nodeSourceFor, routedResult } from './lab-connection.js';
import { judgePrediction, predict, type Prediction } from './trace-judge.js';

const plan: LabPlan = { podIPs: ['10.244.1.11', '10.244.2.21'], clientPodIPs: [CLIENT_POD_IP], listen: ['10.244.1.11:8080', '10.244.2.21:8080'] };
const A = '10.244.1.11:8080';
const B = '10.244.2.21:8080';
const answered = (endpoints: string[], more: Partial<Prediction> = {}): Prediction => ({ outcome: 'answered', endpoints, seesNode: false, sticky: false, ...more });

test('the outcome must be the expected one', () => {
  assert.deepEqual(judgePrediction({}, answered([A])), []);
  assert.equal(judgePrediction({ outcome: 'dropped' }, answered([A])).length, 1);
  assert.deepEqual(judgePrediction({ outcome: 'rejected' }, { ...answered([]), outcome: 'rejected' }), []);
  assert.equal(judgePrediction({}, answered([])).length, 1, 'answered by nobody');
});

test('predicted endpoints stay within answeredBy, and cover it with all', () => {
  assert.deepEqual(judgePrediction({ answeredBy: [A, B] }, answered([A])), []);
  assert.equal(judgePrediction({ answeredBy: [A] }, answered([A, B])).length, 1);
  assert.equal(judgePrediction({ answeredBy: [A, B], all: true }, answered([A])).length, 1);
  assert.deepEqual(judgePrediction({ answeredBy: [A, B], all: true }, answered([B, A])), []);
});

test('predicted endpoints must be ones the lab answers on', () => {
  assert.deepEqual(judgePrediction({}, answered([A]), plan.listen), []);
  assert.equal(judgePrediction({}, answered(['10.244.1.11:80']), plan.listen).length, 1);
});

test('source node means the endpoint sees a node address; client means it does not', () => {
  assert.equal(judgePrediction({ source: 'node' }, answered([A])).length, 1);
  assert.deepEqual(judgePrediction({ source: 'node' }, answered([A], { seesNode: true })), []);
  assert.equal(judgePrediction({ source: 'client' }, answered([A], { seesNode: true })).length, 1);
});

test('sameEndpoint needs affinity, unless only one endpoint can answer', () => {
  assert.equal(judgePrediction({ sameEndpoint: true }, answered([A, B])).length, 1);
  assert.deepEqual(judgePrediction({ sameEndpoint: true }, answered([A, B], { sticky: true })), []);
  assert.deepEqual(judgePrediction({ sameEndpoint: true }, answered([A])), []);
});

test('a passed connection is judged by the lab routing: pods answer for themselves, the rest is lost or refused', () => {
  const passed: TraceVerdict = { outcome: 'passed', endpoints: [], masqueraded: false, sticky: false, steps: [] };
  const from = (to: string) => connectionOf({ from: 'client', proto: 'tcp', to, expect: {} }, plan);
  assert.deepEqual(predict(passed, from(A), plan), answered([A], { sticky: true }));
  assert.equal(predict(passed, from('10.244.1.11:9999'), plan).outcome, 'rejected');
  assert.equal(predict(passed, from('10.96.0.99:80'), plan).outcome, 'dropped');
  assert.equal(routedResult(from(`${NODE_IP}:30080`), plan).outcome, 'rejected');
});

test('flows become connections as the lab wires them', () => {
  assert.deepEqual(connectionOf({ from: 'client', proto: 'udp', to: '[fd96::1]:53', expect: {} }, plan), {
    protocol: 'UDP', destination: 'fd96::1', port: 53, origin: 'external', source: CLIENT_IP6, inInterface: 'n0',
  });
  assert.equal(connectionOf({ from: 'client', proto: 'tcp', to: '10.96.0.1:80', expect: {} }, plan).source, CLIENT_IP);
  assert.equal(connectionOf({ from: 'pod', fromIP: CLIENT_POD_IP, proto: 'tcp', to: '10.96.0.1:80', expect: {} }, plan).inInterface, 'n2');
  assert.equal(connectionOf({ from: 'pod', fromIP: '10.244.1.11', proto: 'tcp', to: '10.96.0.1:80', expect: {} }, plan).inInterface, 'n1');
  const local = connectionOf({ from: 'localhost', proto: 'tcp', to: '127.0.0.1:30080', expect: {} }, plan);
  assert.deepEqual([local.origin, local.source, local.inInterface], ['node', '127.0.0.1', undefined]);
});

test('the node picks its source address by route', () => {
  assert.equal(nodeSourceFor('10.96.0.1', plan), NODE_IP);
  assert.equal(nodeSourceFor('fd96::1', plan), NODE_IP6);
  assert.equal(nodeSourceFor('10.244.1.11', plan), NODE_POD_GATEWAY);
  assert.equal(nodeSourceFor(CLIENT_POD_IP, plan), NODE_POD_GATEWAY);
  assert.equal(nodeSourceFor(NODE_POD_GATEWAY, plan), NODE_POD_GATEWAY);
  assert.equal(nodeSourceFor('127.0.0.1', plan), '127.0.0.1');
});
