import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../src/sources/manifest-parser.js';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {ports: [{port: 80}]}\n';
const SLICE = 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1}\naddressType: IPv4\n';
const NODE = 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n';

const kinds = (r: ReturnType<typeof parseManifest>) => r.objects.map((o) => (o.object as { kind: string }).kind);

test('multi-document YAML yields every object with its 1-based document number; empty documents are skipped', () => {
  const text = `# leading comment\n---\n${SERVICE}---\n---\n# only a comment\n---\n${SLICE}---\n${NODE}`;
  const r = parseManifest(text, 'm.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(kinds(r), ['Service', 'EndpointSlice', 'Node']);
  assert.deepEqual(
    r.objects.map((o) => o.doc),
    // A comment before the first "---" belongs to the first document, as a reader sees it.
    [1, 4, 5],
  );
  assert.equal((r.objects[0]!.object as { spec: { ports: { port: number }[] } }).spec.ports[0]!.port, 80);
});

test('empty and comment-only files give nothing and no errors, and count no documents', () => {
  for (const text of ['', '\n\n', '# nothing here\n', '---\n---\n']) {
    assert.deepEqual(parseManifest(text, 'e.yaml'), { objects: [], errors: [], skipped: [], documents: 0 }, JSON.stringify(text));
  }
  // An empty List is a file that says "nothing" on purpose.
  assert.equal(parseManifest('apiVersion: v1\nkind: List\nitems: []\n', 'l.yaml').documents, 1);
});

test('YAML kind: List items are routed one by one', () => {
  const text = `apiVersion: v1\nkind: List\nitems:\n- ${SERVICE.trimEnd().split('\n').join('\n  ')}\n- ${NODE.trimEnd().split('\n').join('\n  ')}\n`;
  const r = parseManifest(text, 'l.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(kinds(r), ['Service', 'Node']);
});

test('JSON: a single object, a v1 List, and a typed list whose items omit kind and apiVersion', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: {} };
  assert.deepEqual(kinds(parseManifest(JSON.stringify(svc), 'a.json')), ['Service']);
  const list = { apiVersion: 'v1', kind: 'List', items: [svc, { ...svc, metadata: { name: 'b' } }] };
  assert.deepEqual(kinds(parseManifest(JSON.stringify(list, null, 2), 'l.json')), ['Service', 'Service']);

  const typed = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSliceList', items: [{ metadata: { name: 's' }, addressType: 'IPv4' }] };
  const r = parseManifest(JSON.stringify(typed), 't.json');
  assert.deepEqual(r.errors, []);
  const obj = r.objects[0]!.object as { apiVersion: string; kind: string };
  assert.equal(obj.kind, 'EndpointSlice');
  assert.equal(obj.apiVersion, 'discovery.k8s.io/v1');
});

test('a YAML syntax error names the file, line and column, and yields no objects', () => {
  const text = `${SERVICE}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [broken\nspec: {}\n`;
  const r = parseManifest(text, 'bad.yaml');
  assert.equal(r.objects.length, 0);
  assert.ok(r.errors.length >= 1);
  const e = r.errors[0]!;
  assert.equal(e.code, 'KPROXY_PARSE');
  assert.match(e.details.origin, /^bad\.yaml:\d+:\d+$/);
  const line = Number(e.details.origin.split(':')[1]);
  assert.ok(line >= 9 && line <= 10, `line ${line} should point at the broken flow sequence`);
  assert.ok(e.details.reason.length > 0);
  assert.match(e.message, /^bad\.yaml:/);
});

test('JSON is decoded strictly: a trailing comma is an error even though YAML would accept it', () => {
  const r = parseManifest('{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},}', 'n.json');
  assert.equal(r.objects.length, 0);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 'KPROXY_PARSE');
  assert.match(r.errors[0]!.message, /^n\.json/);
});

test('a document without kind or apiVersion is an error naming the document', () => {
  const r = parseManifest(`${SERVICE}---\napiVersion: v1\nmetadata: {name: x}\n---\nkind: Service\nmetadata: {name: y}\n`, 'k.yaml');
  assert.deepEqual(kinds(r), ['Service']);
  assert.equal(r.errors.length, 2);
  assert.equal(r.errors[0]!.code, 'KPROXY_KIND');
  assert.equal(r.errors[0]!.details.origin, 'k.yaml (document 2)');
  assert.equal(r.errors[0]!.details.field, 'kind');
  assert.equal(r.errors[0]!.details.name, 'x');
  assert.equal(r.errors[1]!.details.origin, 'k.yaml (document 3)');
  assert.equal(r.errors[1]!.details.field, 'apiVersion');
});

test('a document that is not an object is an error naming the document', () => {
  const r = parseManifest(`${NODE}---\njust a string\n---\n- a\n- list\n`, 's.yaml');
  assert.deepEqual(kinds(r), ['Node']);
  assert.deepEqual(
    r.errors.map((e) => [e.code, e.details.origin]),
    [
      ['KPROXY_PARSE', 's.yaml (document 2)'],
      ['KPROXY_PARSE', 's.yaml (document 3)'],
    ],
  );
});

test('a kind kproxy reads under a wrong apiVersion is an error', () => {
  const r = parseManifest(SLICE.replace('discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1'), 'old.yaml');
  assert.equal(r.objects.length, 0);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0]!;
  assert.equal(e.code, 'KPROXY_KIND');
  assert.equal(e.details.field, 'apiVersion');
  assert.equal(e.details.kind, 'EndpointSlice');
  assert.match(e.message, /discovery\.k8s\.io\/v1beta1/);
  assert.match(e.message, /"discovery\.k8s\.io\/v1"/);
});

test('kinds kproxy does not read are skipped, not errors, and errors inside a List name the item', () => {
  const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n';
  const text = `${deployment}---\n${SERVICE}---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n- {metadata: {name: q}}\n`;
  const r = parseManifest(text, 'app.yaml');
  assert.deepEqual(kinds(r), ['Service']);
  assert.deepEqual(r.skipped, [
    { doc: 1, apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    { doc: 3, apiVersion: 'v1', kind: 'Pod', name: 'p' },
  ]);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.details.origin, 'app.yaml (document 3, items[1])');
});

test('a List whose items is not a list is an error; an inherited property name is not a kind kproxy reads', () => {
  const r = parseManifest('apiVersion: v1\nkind: List\nitems: {a: 1}\n---\napiVersion: v1\nkind: toString\n', 'x.yaml');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.details.field, 'items');
  assert.deepEqual(
    r.skipped.map((s) => s.kind),
    ['toString'],
  );
});

/** `n` bytes of deterministic noise without NUL (text garbage: control characters, stray quotes, colons). */
function noise(n: number): string {
  let x = 12345;
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = 1 + ((x >>> 16) % 255);
  }
  return bytes.toString('latin1');
}

test('errors per file are capped, with a last error saying how many were left out', () => {
  const text = Array.from({ length: 300 }, (_, i) => `k${i}: [unclosed\n`).join('');
  const r = parseManifest(text, 'many.yaml');
  assert.ok(r.errors.length > 1 && r.errors.length <= 11, `${r.errors.length} errors`);
  assert.match(r.errors[0]!.details.origin, /^many\.yaml:\d+:\d+$/, 'the errors shown keep their positions');
  assert.match(r.errors.at(-1)!.message, /^many\.yaml: \d+ more errors in this file left out/);
  const leftOut = Number(/(\d+) more/.exec(r.errors.at(-1)!.message)![1]);
  assert.ok(leftOut >= 250, `${leftOut} left out`);
});

test('error messages quote at most a short, printable excerpt of the input', () => {
  const r = parseManifest(noise(300_000), 'noise.yaml');
  assert.ok(r.errors.length >= 1);
  for (const e of r.errors) {
    assert.ok(e.message.length <= 300, `a ${e.message.length}-character message`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(e.message, /[\u0000-\u001f\u007f-\u009f]/, 'control characters are escaped');
  }
  const string = parseManifest(`"${'long '.repeat(100_000)}"\n`, 's.yaml');
  assert.equal(string.errors.length, 1);
  assert.ok(string.errors[0]!.message.length <= 300, `a ${string.errors[0]!.message.length}-character message`);
});

test('an alias without its anchor is an error, not an exception', () => {
  const r = parseManifest('apiVersion: v1\nkind: Service\nmetadata: *nowhere\n', 'alias.yaml');
  assert.equal(r.objects.length, 0);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 'KPROXY_PARSE');
  assert.match(r.errors[0]!.message, /^alias\.yaml:\d+:\d+: .*nowhere/);
});
