// The rules that decide whether a flow passed, checked without root or a lab.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeFlow } from './expectations.js';
import type { FlowResult } from '../../src/lab/flow-wire.js';

const NODE = ['10.77.0.1', '10.244.0.1'];
const ok = (endpoint: string, source = '10.244.9.50:40000', local = '10.244.9.50:40000'): FlowResult => ({ outcome: 'answered', endpoint, source, local });

test('the outcome defaults to answered, and a dropped flow fails it', () => {
  assert.deepEqual(judgeFlow({}, [ok('10.244.1.11:8080')], NODE), []);
  assert.match(judgeFlow({}, [{ outcome: 'dropped' }], NODE).join(), /expected answered, got dropped/);
});

test('a rejected flow passes outcome rejected and fails outcome dropped', () => {
  const r: FlowResult = { outcome: 'rejected', detail: 'ECONNREFUSED' };
  assert.deepEqual(judgeFlow({ outcome: 'rejected' }, [r], NODE), []);
  assert.match(judgeFlow({ outcome: 'dropped' }, [r], NODE).join(), /got rejected \(ECONNREFUSED\)/);
});

test('answeredBy refuses an endpoint outside the list', () => {
  const problems = judgeFlow({ answeredBy: ['10.244.1.11:8080'] }, [ok('10.244.1.11:8080'), ok('10.244.2.21:8080')], NODE);
  assert.match(problems.join(), /answered by 10.244.2.21:8080; allowed only 10.244.1.11:8080/);
});

test('all requires every allowed endpoint to answer at least once', () => {
  const expect = { answeredBy: ['a:1', 'b:1'], all: true };
  assert.deepEqual(judgeFlow(expect, [ok('a:1'), ok('b:1'), ok('a:1')], NODE), []);
  assert.match(judgeFlow(expect, [ok('a:1'), ok('a:1')], NODE).join(), /never answered by b:1 over 2 flows \(saw a:1×2\)/);
});

test('sameEndpoint fails when two endpoints answered', () => {
  assert.deepEqual(judgeFlow({ sameEndpoint: true }, [ok('a:1'), ok('a:1')], NODE), []);
  assert.match(judgeFlow({ sameEndpoint: true }, [ok('a:1'), ok('b:1')], NODE).join(), /one endpoint/);
});

test("source 'client' needs the flow's own address at the backend, 'node' a node address", () => {
  const kept = ok('a:1', '10.244.9.50:40001', '10.244.9.50:40001');
  const masqueraded = ok('a:1', '10.244.0.1:51000', '10.244.9.50:40001');
  assert.deepEqual(judgeFlow({ source: 'client' }, [kept], NODE), []);
  assert.match(judgeFlow({ source: 'client' }, [masqueraded], NODE).join(), /saw source 10.244.0.1, expected the flow's own address 10.244.9.50/);
  assert.deepEqual(judgeFlow({ source: 'node' }, [masqueraded], NODE), []);
  assert.match(judgeFlow({ source: 'node' }, [kept], NODE).join(), /expected a node address/);
});

test('IPv6 sources are compared by address, not by spelling of the port', () => {
  const kept = ok('[fd44::1:11]:8080', '[fd44::9:50]:40001', '[fd44::9:50]:40001');
  assert.deepEqual(judgeFlow({ source: 'client', answeredBy: ['[fd44::1:11]:8080'] }, [kept], NODE), []);
});
