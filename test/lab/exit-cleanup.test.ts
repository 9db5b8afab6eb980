import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onExitCleanup, runExitCleanups } from '../../src/lab/exit-cleanup.js';

test('every registered undo runs once, in order, even after one throws', () => {
  const ran: string[] = [];
  onExitCleanup(() => ran.push('a'));
  onExitCleanup(() => {
    throw new Error('boom');
  });
  onExitCleanup(() => ran.push('c'));
  runExitCleanups();
  runExitCleanups();
  assert.deepEqual(ran, ['a', 'c']);
});

test('an undo forgotten after normal teardown does not run', () => {
  let ran = false;
  const forget = onExitCleanup(() => (ran = true));
  forget();
  runExitCleanups();
  assert.equal(ran, false);
});
