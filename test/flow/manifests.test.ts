// Writing scenario objects for --from: one file per object, steps touch only what changed.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { writeManifests } from './manifests.js';
import { endpoint, port, service, slice } from '../fixtures/objects.js';

test('one YAML file per object; a step rewrites what changed and deletes what went away', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kpt-manifests-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const svc = service('web', { clusterIP: '10.96.0.10', ports: [port(80, 8080)] });
  await writeManifests(dir, [svc, slice('web', [8080], [endpoint('10.244.1.11')])]);
  assert.deepEqual((await readdir(dir)).sort(), ['endpointslice-default-web-v4.yaml', 'service-default-web.yaml']);
  assert.deepEqual(parse(await readFile(join(dir, 'service-default-web.yaml'), 'utf8')), svc);
  const before = await stat(join(dir, 'service-default-web.yaml'));

  await writeManifests(dir, [svc]);
  assert.deepEqual(await readdir(dir), ['service-default-web.yaml']);
  assert.equal((await stat(join(dir, 'service-default-web.yaml'))).ino, before.ino, 'an unchanged object is not rewritten');
});
