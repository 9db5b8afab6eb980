// Root only: how a full sync reads the kernel. While the committed program is known to be in force the
// nft back end lists only the built-in chains, yet still deletes the chains it stopped using and repairs a
// deleted jump (by falling back to iptables-save).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesExecutor } from '../../src/dataplane/iptables/executor.js';
import { IptablesRenderer } from '../../src/dataplane/iptables/renderer.js';
import { serviceChains } from '../../src/dataplane/iptables/chain-names.js';
import type { Logger, KeyValues } from '../../src/observability/logger.js';
import type { SyncInput } from '../../src/dataplane/types.js';
import { overallServices, snapshot } from './fixtures.js';
import { canUseNetns, inNs, makeNetns, toolExists } from '../fixtures/netns.js';

const detectLocal = { mode: 'ClusterCIDR' as const, clusterCIDR: '10.0.0.0/8', bridgeInterface: '', interfaceNamePrefix: '' };

/** Records how each table was read before a full sync. */
function readsLogger(reads: string[]): Logger {
  const record = (msg: string, kv?: KeyValues): void => {
    if (msg.startsWith('Read iptables table')) reads.push(`${String(kv?.['table'])}:${String(kv?.['via'])}`);
  };
  const logger: Logger = { info: record, warn: record, error: record, v: () => ({ info: record }) };
  return logger;
}

for (const backend of ['nft', 'legacy'] as const) {
  const skip = canUseNetns() ?? (toolExists(`iptables-${backend}-restore`) ? undefined : `iptables-${backend} not installed`);

  test(`${backend}: periodic full syncs read little, yet delete stale chains and restore deleted jumps`, { skip }, async (t) => {
    const ns = await makeNetns(t, 'r');
    const reads: string[] = [];
    const renderer = new IptablesRenderer({ detectLocal });
    const executor = new IptablesExecutor({ netns: ns, backend, logger: readsLogger(reads) });
    const sync = async (input: SyncInput): Promise<void> => {
      await executor.apply(renderer.render(input), input);
    };
    const save = (): string => inNs(ns, [`iptables-${backend}-save`, '-t', 'nat']);
    const ports = overallServices();
    const first = snapshot(ports);
    await sync({ snapshot: first, previous: undefined, full: true });
    assert.deepEqual(reads.splice(0), ['filter:iptables-save', 'nat:iptables-save'], 'first sync of the process reads everything');

    // svc1 goes away in a full sync: its chains must go although the table was not saved.
    const svc1 = serviceChains(ports[0]!).cluster;
    assert.ok(save().includes(`:${svc1} `));
    const second = snapshot(ports.slice(1), { changed: [ports[0]!.key], generation: 2 });
    await sync({ snapshot: second, previous: first, full: true });
    // The legacy back end fetches a whole table for any listing: one iptables-save is cheaper there.
    const known = backend === 'nft' ? 'builtin-chains' : 'iptables-save';
    assert.deepEqual(reads.splice(0), [`filter:${known}`, `nat:${known}`]);
    assert.ok(!save().includes(svc1), 'stale chain deleted');

    // Someone deletes our PREROUTING jump: the next full sync notices, reads everything, puts it back.
    inNs(ns, [`iptables-${backend}`, '-t', 'nat', '-D', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']);
    const third = snapshot(ports.slice(1), { changed: [], generation: 3 });
    await sync({ snapshot: third, previous: second, full: true });
    assert.deepEqual(reads.splice(0), [`filter:${known}`, 'nat:iptables-save']);
    assert.match(save(), /-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);

    // A flush (canary gone) means the kernel state is unknown again.
    inNs(ns, [`iptables-${backend}`, '-t', 'mangle', '-X', 'KUBE-PROXY-CANARY']);
    assert.equal(await executor.needsFullSync(), true);
    await sync({ snapshot: third, previous: third, full: true });
    assert.deepEqual(reads.splice(0), ['filter:iptables-save', 'nat:iptables-save']);
  });
}
