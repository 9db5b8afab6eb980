import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonLineDecoder } from '../../src/sources/api/watch-decoder.js';

test('events split across chunks anywhere are reassembled, one per line', () => {
  const d = new JsonLineDecoder('watch');
  const stream = '{"type":"ADDED","object":{"a":1}}\n{"type":"BOOKMARK","object":{"b":"é"}}\n\n{"type":"DELETED"';
  const out: unknown[] = [];
  for (let i = 0; i < stream.length; i += 7) out.push(...d.push(stream.slice(i, i + 7)));
  assert.equal(out.length, 2);
  assert.deepEqual(out[1], { type: 'BOOKMARK', object: { b: 'é' } });
  out.push(...d.push(',"object":{}}'));
  assert.equal(out.length, 2, 'the last event has no newline yet');
  assert.deepEqual(d.end(), [{ type: 'DELETED', object: {} }]);
});

test('a line that is not JSON is an error naming the stream', () => {
  const d = new JsonLineDecoder('watch /api/v1/services');
  assert.throws(() => d.push('<html>\n'), /watch \/api\/v1\/services: got "<html>"/);
});
