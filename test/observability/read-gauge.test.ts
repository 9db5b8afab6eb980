import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaugeMs } from '../../src/observability/read-gauge.js';

const LAST = 'kubeproxy_sync_proxy_rules_last_timestamp_seconds';

test('a sync timestamp reads the same from kube-proxy before 1.33 (unlabelled) and after (per ip_family)', () => {
  assert.equal(gaugeMs(`# TYPE ${LAST} gauge\n${LAST} 1.7e+09\n`, LAST), 1.7e12);
  const perFamily = `${LAST}{ip_family="IPv4"} 1700000002\n${LAST}{ip_family="IPv6"} 1700000001\n${LAST}_other 5\n`;
  assert.equal(gaugeMs(perFamily, LAST), 1700000001000, 'oldest family');
  assert.equal(gaugeMs(perFamily, LAST, 'newest'), 1700000002000);
  assert.equal(gaugeMs(`# HELP ${LAST} x\n`, LAST), undefined);
});
