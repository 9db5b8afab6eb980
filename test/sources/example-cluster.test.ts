import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { BlockList } from 'node:net';
import { join } from 'node:path';
import { parseManifest } from '../../src/sources/manifest-parser.js';
import {
  ANNOTATION_SCHEDULER,
  LABEL_SERVICE_NAME,
  LABEL_ZONE,
  type EndpointSlice,
  type KubeObject,
  type Node,
  type Service,
} from '../../src/model/objects.js';
import { projectRoot } from './project-root.js';

const clusterDir = join(projectRoot(), 'examples', 'cluster');

function loadCluster(): KubeObject[] {
  const files = readdirSync(clusterDir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length > 0, `no manifests in ${clusterDir}`);
  return files.flatMap((f) => {
    const r = parseManifest(readFileSync(join(clusterDir, f), 'utf8'), f);
    assert.deepEqual(r.errors, [], `${f} has errors`);
    assert.deepEqual(r.skipped, [], `${f} has objects kproxy does not read`);
    return r.objects.map((o) => o.object as KubeObject);
  });
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');

const services = (objs: KubeObject[]) => objs.filter((o): o is Service => o.kind === 'Service');
const slices = (objs: KubeObject[]) => objs.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');

test('the example manifests parse without errors and hold the node, four services and their slices', () => {
  const objs = loadCluster();
  const nodes = objs.filter((o): o is Node => o.kind === 'Node');
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]!.metadata.name, 'kproxy-example');
  assert.ok(nodes[0]!.metadata.labels?.[LABEL_ZONE]);
  assert.deepEqual(nodes[0]!.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, '127.0.0.1');
  assert.deepEqual(services(objs).map((s) => s.metadata.name).sort(), ['dns-like', 'sticky', 'web', 'web-np']);
  assert.equal(slices(objs).filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === 'sticky').length, 2);
});

test('every EndpointSlice names a Service that exists in its namespace, with matching port names', () => {
  const objs = loadCluster();
  for (const slice of slices(objs)) {
    const owner = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    const svc = services(objs).find((s) => s.metadata.name === owner && s.metadata.namespace === slice.metadata.namespace);
    assert.ok(svc, `EndpointSlice ${slice.metadata.name} names Service ${owner}, which does not exist`);
    const servicePorts = (svc.spec.ports ?? []).map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}`);
    for (const p of slice.ports ?? []) assert.ok(servicePorts.includes(`${p.name ?? ''}/${p.protocol ?? 'TCP'}`));
  }
});

test('every address is in 127.0.0.0/8 and every port is >= 1024, so the example runs without root', () => {
  const objs = loadCluster();
  const ips = [
    ...services(objs).flatMap((s) => [s.spec.clusterIP ?? '', ...(s.spec.clusterIPs ?? [])]),
    ...slices(objs).flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses)),
  ];
  for (const ip of ips) assert.ok(loopback.check(ip, 'ipv4'), `${ip} is not a loopback address`);
  const ports = [
    ...services(objs).flatMap((s) => (s.spec.ports ?? []).flatMap((p) => [p.port, p.nodePort ?? 1024])),
    ...slices(objs).flatMap((s) => (s.ports ?? []).map((p) => p.port ?? 0)),
  ];
  for (const port of ports) assert.ok(port >= 1024, `port ${port} needs root`);
});

test('the example shows ClientIP affinity, UDP, a NodePort and the scheduler annotation', () => {
  const byName = new Map(services(loadCluster()).map((s) => [s.metadata.name, s]));
  const sticky = byName.get('sticky')!;
  assert.equal(sticky.spec.sessionAffinity, 'ClientIP');
  assert.equal(sticky.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds, 60);
  assert.equal(byName.get('dns-like')!.spec.ports?.[0]?.protocol, 'UDP');
  assert.equal(byName.get('web-np')!.spec.type, 'NodePort');
  assert.equal(byName.get('web-np')!.spec.ports?.[0]?.nodePort, 30080);
  const annotated = [...byName.values()].filter((s) => s.metadata.annotations?.[ANNOTATION_SCHEDULER] === 'lc');
  assert.equal(annotated.length, 1);
});
