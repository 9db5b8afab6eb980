import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { runTool } from '../../src/exec/run-tool.js';
import { NamespaceSet } from '../../src/lab/namespace-set.js';
import { UserspaceExecutor } from '../../src/dataplane/userspace/executor.js';
import { PortalInstaller } from '../../src/dataplane/userspace/portal-installer.js';
import { UserspaceRenderer } from '../../src/dataplane/userspace/renderer.js';
import type { ServicePort } from '../../src/model/types.js';
import { endpoint, recordingLogger, servicePort, snapshot, syncInput } from './fixtures.js';

const renderer = new UserspaceRenderer({ nodePortAddresses: [] });

async function apply(ex: UserspaceExecutor, ports: ServicePort[]): Promise<readonly string[]> {
  const input = syncInput(snapshot(ports));
  return (await ex.apply(renderer.render(input), input)).warnings;
}

/** A fresh network namespace for the test, deleted afterwards; undefined (and skipped) without root. */
async function namespace(t: TestContext): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to create a network namespace');
    return undefined;
  }
  let set: NamespaceSet<'node'>;
  try {
    set = await NamespaceSet.create(['node'], 'kpt-us-', (made) => made.exec('node', 'iptables-save', []).then(() => undefined));
  } catch (err) {
    t.skip(`network namespace or iptables unavailable: ${(err as Error).message}`);
    return undefined;
  }
  t.after(() => set.destroy());
  return set.ns.node;
}

async function saved(ns: string, cmd = 'iptables-save'): Promise<string> {
  return (await runTool(cmd, [], { netns: ns })).stdout;
}

const web = (vip: string, port: number) => servicePort({ name: 'web', portName: 'http', clusterIP: vip, port, endpoints: [endpoint('127.0.0.1', 9)] });
const empty = servicePort({ name: 'empty', clusterIP: '10.96.77.20', port: 443 });

test("portals 'none': a listener on an address that is not local is skipped with one warning", async (t) => {
  const ex = new UserspaceExecutor({ portals: 'none', logger: recordingLogger(), isLocalAddress: () => false });
  t.after(() => ex.close());
  const warnings = await apply(ex, [web('10.96.77.10', 80)]);
  assert.deepEqual(warnings, ["default/web:http: ClusterIP TCP/10.96.77.10:80 is not an address of this node and portals are off (portals: 'none'); not served"]);
  assert.equal(ex.boundPort('TCP/10.96.77.10:80'), undefined);
});

test('as root, portal rules apply into a namespace, follow the table, and clean up completely', async (t) => {
  const ns = await namespace(t);
  if (!ns) return;
  const ex = new UserspaceExecutor({ portals: 'iptables', logger: recordingLogger(), netns: ns });
  t.after(() => ex.close());
  const v6 = servicePort({ name: 'six', family: 'IPv6', clusterIP: 'fd00:77::10', port: 80, endpoints: [endpoint('::1', 9)] });
  await apply(ex, [web('10.96.77.10', 80), empty, v6]);
  const port = ex.boundPort('TCP/10.96.77.10:80');
  assert.ok(port && port > 0, 'the portal listener bound an ephemeral port');
  let nat = await saved(ns);
  for (const chain of ['KPROXY-PORTALS-CONTAINER', 'KPROXY-PORTALS-HOST']) {
    assert.match(nat, new RegExp(`-A ${chain} -d 10\\.96\\.77\\.10/32 -p tcp -m tcp --dport 80 .*-j REDIRECT --to-ports ${port}`));
  }
  assert.match(nat, /-A PREROUTING -j KPROXY-PORTALS-CONTAINER/);
  assert.match(nat, /-A OUTPUT -j KPROXY-PORTALS-HOST/);
  assert.match(nat, /-A KPROXY-PORTALS-FILTER -d 10\.96\.77\.20\/32 -p tcp -m tcp --dport 443 .*-j REJECT/);
  assert.match(await saved(ns, 'ip6tables-save'), /-A KPROXY-PORTALS-CONTAINER -d fd00:77::10\/128 -p tcp -m tcp --dport 80 .*-j REDIRECT/);

  // The next sync (full, so jumps are re-checked) replaces the rules and adds no second jump.
  await apply(ex, [web('10.96.77.11', 8080)]);
  nat = await saved(ns);
  assert.doesNotMatch(nat, /10\.96\.77\.10|10\.96\.77\.20/);
  assert.match(nat, /-d 10\.96\.77\.11\/32 -p tcp -m tcp --dport 8080/);
  assert.equal(nat.match(/-A PREROUTING -j KPROXY-PORTALS-CONTAINER/g)?.length, 1);

  await ex.cleanup();
  assert.doesNotMatch(await saved(ns), /KPROXY/);
  assert.doesNotMatch(await saved(ns, 'ip6tables-save'), /KPROXY/);
  await ex.cleanup(); // nothing left: still fine
});

test('as root, a failed restore throws and leaves the previous portal rules in force', async (t) => {
  const ns = await namespace(t);
  if (!ns) return;
  const installer = new PortalInstaller(ns);
  const good = { family: 'IPv4', protocol: 'TCP', address: '10.96.77.30', port: 80, servicePort: 'default/a:', target: 40000 } as const;
  await installer.apply([good], false);
  const bad = { ...good, address: '10.96.77.300' };
  await assert.rejects(installer.apply([bad], false), /iptables-restore/);
  assert.match(await saved(ns), /-d 10\.96\.77\.30\/32 .*--to-ports 40000/);
  await installer.cleanup();
  assert.doesNotMatch(await saved(ns), /KPROXY/);
});

test('as root, a port name with a quote (a"b) reaches iptables-restore quoted: its portals and the others apply', async (t) => {
  const ns = await namespace(t);
  if (!ns) return;
  const ex = new UserspaceExecutor({ portals: 'iptables', logger: recordingLogger(), netns: ns });
  t.after(() => ex.close());
  const quoted = servicePort({ name: 'q', portName: 'a"b', clusterIP: '10.96.77.9', port: 80, endpoints: [endpoint('127.0.0.1', 9)] });
  await apply(ex, [web('10.96.77.10', 80), quoted, servicePort({ name: 'q2', portName: 'x', clusterIP: '10.96.77.11', port: 443 })]);
  const nat = await saved(ns);
  assert.match(nat, /-d 10\.96\.77\.9\/32 .*--comment "default\/q:a\\"b" -j REDIRECT/);
  assert.match(nat, /-d 10\.96\.77\.10\/32 .*-j REDIRECT/);
  assert.match(nat, /-d 10\.96\.77\.11\/32 .*-j REJECT/);
});
