// A value nft would misread must cost its own service port, not the transaction: the renderer refuses the
// port by name (the Proxier then leaves it out), and its memory stays consistent for the next render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NftRenderer, formatProgram } from '../../src/dataplane/nftables/index.js';
import { ep, servicePort, snapshot } from './fixtures.js';

test('a port whose element would hold "; flush ruleset" is refused by name; without it the next render is whole', () => {
  const r = new NftRenderer({ families: ['IPv4'] });
  const good = servicePort('web', '10.96.0.10', [ep('10.244.0.5')]);
  const bad = servicePort('q', '10.96.0.9', [ep('10.244.0.6')], { externalIPs: ['203.0.113.7 ; flush ruleset'] });
  r.render({ snapshot: snapshot([good]), previous: undefined, full: true });
  assert.throws(
    () => r.render({ snapshot: snapshot([good, bad], 2), previous: undefined, full: true }),
    /^Error: nftables: service port ns\/q: \(IPv4\) is refused: its \S+ element "203\.0\.113\.7 ; flush ruleset[^"]*" holds characters/,
  );
  const text = formatProgram(r.render({ snapshot: snapshot([good], 3), previous: undefined, full: true }));
  assert.ok(text.includes('10.96.0.10'));
  assert.ok(!text.includes('flush ruleset'));
});
