// The nftables tests' presets over the shared fixtures (test/fixtures): remote endpoints on node-b, ports in
// namespace "ns" with no scheduler, node-a at 10.77.0.1, ports in the order given; and a fake nft that
// records every transaction.

import type { Endpoint, ServicePort, Snapshot } from '../../src/model/types.js';
import type { ElementProbe, NftRunner, TableListing } from '../../src/dataplane/nftables/nft-runner.js';
import { endpoint, servicePort as sharedPort } from '../fixtures/service-ports.js';
import { snapshot as sharedSnapshot } from '../fixtures/snapshots.js';

/** An endpoint on another node (node-b), port 8080 unless given. */
export function ep(ip: string, port = 8080, extra: Partial<Endpoint> = {}): Endpoint {
  return endpoint(ip, port, { nodeName: 'node-b', isLocal: false, ...extra });
}

/** A ClusterIP port in namespace "ns" whose family follows the address. */
export function servicePort(name: string, clusterIP: string, endpoints: Endpoint[], extra: Partial<ServicePort> = {}): ServicePort {
  return sharedPort({ name, namespace: 'ns', clusterIP, scheduler: '', endpoints, ...extra });
}

export function snapshot(ports: readonly ServicePort[], generation = 1, changed: readonly string[] = ports.map((p) => p.key)): Snapshot {
  return sharedSnapshot(ports, { generation, changed, node: { addresses: ['10.77.0.1'] }, inGivenOrder: true });
}

/** Records transactions; `failNext` makes the next apply throw as nft would on a rejected script. */
export class FakeNft implements NftRunner {
  readonly scripts: string[] = [];
  failNext = false;
  chainSet = new Set<string>();
  /** Rules per chain, as the transactions left them. */
  readonly rules = new Map<string, number>();
  canary = true;
  /** Sets whose elements someone flushed. */
  readonly flushedSets = new Set<string>();

  async apply(script: string): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('Error: Could not process rule: No such file or directory');
    }
    this.scripts.push(script);
    for (const line of script.split('\n')) {
      const m = /^add chain \S+ kproxy (\S+)/.exec(line);
      if (m) this.chainSet.add(m[1]!);
      const d = /^delete chain \S+ kproxy (\S+)/.exec(line);
      if (d) this.chainSet.delete(d[1]!);
      const r = /^add rule \S+ kproxy (\S+)/.exec(line);
      if (r) this.rules.set(r[1]!, (this.rules.get(r[1]!) ?? 0) + 1);
      const f = /^flush chain \S+ kproxy (\S+)/.exec(line);
      if (f) this.rules.set(f[1]!, 0);
      const e = /^add element \S+ kproxy (\S+)/.exec(line);
      if (e) this.flushedSets.delete(e[1]!);
    }
  }

  async listTable(): Promise<TableListing | undefined> {
    if (this.chainSet.size === 0) return undefined;
    const sets = new Set(this.scripts.flatMap((s) => [...s.matchAll(/^add (?:set|map) \S+ kproxy (\S+)/gm)].map((m) => m[1]!)));
    return { chains: new Map([...this.chainSet].map((c) => [c, this.rules.get(c) ?? 0])), sets };
  }

  async missingElements(_family: string, _table: string, probes: readonly ElementProbe[]): Promise<ElementProbe[]> {
    return probes.filter((p) => (p.set === 'canary' && !this.canary) || this.flushedSets.has(p.set));
  }

  async chains(): Promise<Set<string>> {
    return new Set(this.chainSet);
  }

  async listSet(): Promise<string | undefined> {
    return this.canary ? 'elements = { 0x00000001 }' : undefined;
  }
}
