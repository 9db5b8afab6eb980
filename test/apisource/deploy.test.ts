// The deploy/ manifests are valid objects that fit together, the ConfigMap's configuration loads, and the
// image builds kproxy with the same commands the test suite uses.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfiguration } from '../../src/config/load.js';
import { accessFromKubeconfig } from '../../src/sources/api/kubeconfig.js';
import { checkManifest } from './manifest-schema.js';

// Compiled to BUILD/test/apisource: the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');

// Manifests are walked freely here; the schema check above is what validates their shape.
type Obj = Record<string, any>;

function manifests(): Obj[] {
  return readdirSync(DEPLOY)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(DEPLOY, f), 'utf8')).map((d) => d.toJS() as Obj));
}

function one(kind: string): Obj {
  const found = manifests().filter((m) => m['kind'] === kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0]!;
}

test('every manifest conforms to its kind: required fields, types, no unknown fields', () => {
  const docs = manifests();
  assert.deepEqual(docs.map((d) => d['kind']).sort(), ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'ServiceAccount']);
  for (const d of docs) assert.deepEqual(checkManifest(d), [], `${d['kind']} ${d['metadata']?.name}`);
});

test('the schema check catches a missing image, a wrong type and a typo', () => {
  const ds = structuredClone(one('DaemonSet'));
  delete ds['spec'].template.spec.containers[0].image;
  ds['spec'].template.spec.hostNetwork = 'yes';
  ds['spec'].template.spec.hostNetwrok = true;
  assert.deepEqual(checkManifest(ds), [
    'DaemonSet.spec.template.spec.hostNetwork: got "yes", expected boolean',
    'DaemonSet.spec.template.spec.containers[0].image: required',
    'DaemonSet.spec.template.spec.hostNetwrok: unknown field',
  ]);
});

test('the DaemonSet runs like kube-proxy: host network, node-critical, every taint tolerated, few capabilities', () => {
  const ds = one('DaemonSet');
  const pod = ds['spec'].template.spec;
  for (const [k, v] of Object.entries(ds['spec'].selector.matchLabels)) assert.equal(ds['spec'].template.metadata.labels[k], v);
  assert.equal(pod.hostNetwork, true);
  assert.equal(pod.priorityClassName, 'system-node-critical');
  assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
  const c = pod.containers[0];
  assert.equal(c.securityContext.privileged, false);
  assert.deepEqual(c.securityContext.capabilities, { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] });
  assert.ok(c.command.includes('--hostname-override=$(NODE_NAME)'));
  assert.equal(c.env.find((e: Obj) => e['name'] === 'NODE_NAME').valueFrom.fieldRef.fieldPath, 'spec.nodeName');
  const volumes = new Set(pod.volumes.map((v: Obj) => v['name']));
  for (const m of c.volumeMounts) assert.ok(volumes.has(m.name), `mount ${m.name} has a volume`);
  assert.equal(pod.serviceAccountName, one('ServiceAccount')['metadata'].name);
  assert.equal(pod.volumes.find((v: Obj) => v['configMap'])?.configMap.name, one('ConfigMap')['metadata'].name);
});

test('RBAC lets the service account list and watch what the source reads, and create events', () => {
  const role = one('ClusterRole');
  const binding = one('ClusterRoleBinding');
  const sa = one('ServiceAccount');
  assert.equal(binding['roleRef'].name, role['metadata'].name);
  assert.deepEqual(binding['subjects'], [{ kind: 'ServiceAccount', name: sa['metadata'].name, namespace: sa['metadata'].namespace }]);
  const allows = (group: string, resource: string, verb: string) =>
    role['rules'].some((r: Obj) => r['apiGroups'].includes(group) && r['resources'].includes(resource) && r['verbs'].includes(verb));
  for (const [group, resource] of [['', 'services'], ['discovery.k8s.io', 'endpointslices'], ['', 'nodes']] as const) {
    assert.ok(allows(group, resource, 'list') && allows(group, resource, 'watch'), `${resource} list/watch`);
  }
  assert.ok(allows('', 'events', 'create') && allows('events.k8s.io', 'events', 'create'));
  assert.ok(!allows('', 'secrets', 'get'));
});

test("the ConfigMap's KubeProxyConfiguration loads with --config, and its kubeconfig resolves", async (t) => {
  const cm = one('ConfigMap');
  const ds = one('DaemonSet');
  const c = ds['spec'].template.spec.containers[0];
  const mount = c.volumeMounts.find((m: Obj) => m['name'] === 'config').mountPath as string;
  const configArg = (c.command as string[]).find((a) => a.startsWith('--config='))!;
  const configKey = configArg.slice('--config='.length).replace(`${mount}/`, '');
  const dir = mkdtempSync(join(tmpdir(), 'kpt-deploy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.conf');
  writeFileSync(file, cm['data'][configKey]);
  const loaded = await loadConfiguration(['--config', file]);
  assert.deepEqual(loaded.warnings, []);
  const kubeconfigPath = loaded.config.clientConnection.kubeconfig;
  assert.ok(kubeconfigPath.startsWith(`${mount}/`), 'the kubeconfig is in the mounted ConfigMap');
  const kubeconfigKey = kubeconfigPath.slice(mount.length + 1);
  const access = await accessFromKubeconfig(parseYaml(cm['data'][kubeconfigKey]), kubeconfigPath).catch((e: Error) => e);
  // The CA file exists only inside a Pod; everything else must resolve.
  assert.match(String(access), /certificate-authority .*ca\.crt: cannot read/);
  const withoutCA = parseYaml(cm['data'][kubeconfigKey]);
  delete withoutCA.clusters[0].cluster['certificate-authority'];
  const resolved = await accessFromKubeconfig(withoutCA, kubeconfigPath);
  assert.equal(resolved.auth.kind, 'tokenFile');
});

test("the Dockerfile builds with the test suite's own install and build commands, and installs the kernel tools", () => {
  const prepare = readFileSync(join(ROOT, 'scripts', 'prepare.mjs'), 'utf8');
  const suiteCommands = [...prepare.matchAll(/run\('[^']*', '(npm|npx)', \[([^\]]*)\]/g)].map((m) => [m[1], ...[...m[2]!.matchAll(/'([^']*)'/g)].map((a) => a[1])].join(' '));
  assert.deepEqual(suiteCommands, ['npm ci --no-audit --no-fund', 'npx tsc -p tsconfig.json']);
  const [build, final] = dockerStages();
  const runs = build!.runs;
  for (const cmd of suiteCommands) assert.ok(runs.includes(cmd), `the build stage runs "${cmd}"`);
  assert.ok(runs.indexOf(suiteCommands[0]!) < runs.indexOf(suiteCommands[1]!), 'install before build');
  const apt = final!.runs.find((r) => r.includes('apt-get install')) ?? '';
  for (const pkg of ['iptables', 'nftables', 'ipset', 'ipvsadm', 'conntrack', 'iproute2']) assert.match(apt, new RegExp(`\\b${pkg}\\b`), `the image installs ${pkg}`);
});

test('the image is multi-stage on Node 24 LTS: the final stage holds production dependencies and the compiled program only', () => {
  const stages = dockerStages();
  assert.equal(stages.length, 2, 'a build stage and a final stage');
  const [build, final] = stages as [DockerStage, DockerStage];
  assert.match(build.from, /^node:24(-\S+)? AS build$/);
  assert.match(final.from, /^node:24(-\S+)?$/);
  assert.equal(build.from.split(' ')[0], final.from, 'both stages on the same base');
  assert.ok(final.runs.some((r) => /^npm ci --omit=dev\b/.test(r)), 'production dependencies installed in the final stage');
  assert.ok(!final.runs.some((r) => /\b(tsc|npm run build)\b/.test(r)), 'nothing compiled in the final stage');
  const fromBuild = final.copies.filter((c) => c.startsWith('--from=build '));
  assert.deepEqual(fromBuild, ['--from=build /src/dist/src ./dist/src'], 'only the compiled program comes from the build stage (no node_modules, no tests)');
  const ownCopies = final.copies.filter((c) => !c.startsWith('--from='));
  for (const c of ownCopies) assert.match(c, /^(package\.json package-lock\.json|bin) /, `final stage copies ${c}`);
});

interface DockerStage {
  from: string;
  runs: string[];
  copies: string[];
}

/** The Dockerfile's stages: FROM line, RUN commands (continuations joined) and COPY arguments. */
function dockerStages(): DockerStage[] {
  const lines = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split('\n');
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [, instruction, rest] = /^(FROM|RUN|COPY) (.+)$/.exec(line) ?? [];
    if (!instruction) continue;
    const args = rest!.replace(/\s+/g, ' ').trim();
    if (instruction === 'FROM') stages.push({ from: args, runs: [], copies: [] });
    else if (instruction === 'RUN') stages.at(-1)!.runs.push(...args.split(' && '));
    else stages.at(-1)!.copies.push(args);
  }
  return stages;
}
