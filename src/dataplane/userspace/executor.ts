// Makes the process's sockets (and, for portals, the nat/filter rules) match a ListenerTable. Listeners are
// diffed by id: unchanged ones keep their sockets, connections and scheduler state, and only take the new
// backends; replaced and removed ones stop accepting and let their connections drain.

import type { ApplyResult, Executor, SyncInput } from '../types.js';
import type { Logger } from '../../observability/logger.js';
import { Blackhole } from './blackhole.js';
import { descriptorReserve, listenerCapacity, openFileLimit } from './descriptor-budget.js';
import { WILDCARD, type ListenerSpec, type ListenerTable } from './listener-table.js';
import { PortalInstaller } from './portal-installer.js';
import { isLocalAddress, type PortalRule } from './portals.js';
import { TcpProxy } from './tcp-proxy.js';
import { UdpProxy } from './udp-proxy.js';

export interface UserspaceExecutorOptions {
  /** 'iptables': serve non-local addresses through nat REDIRECT portals (root); 'none': skip them. */
  readonly portals: 'iptables' | 'none';
  readonly logger: Logger;
  readonly udpIdleTimeoutMs?: number;
  readonly drainGraceMs?: number;
  readonly connectTimeoutMs?: number;
  readonly maxUdpFlows?: number;
  readonly now?: () => number;
  /** Apply portal rules inside this network namespace (tests); sockets stay in the process's own. */
  readonly netns?: string;
  /** A TCP connection or UDP flow opened or closed, for the userspace connection metrics. */
  readonly onConnection?: (event: 'opened' | 'closed', protocol: 'TCP' | 'UDP') => void;
  /** Which addresses the process can bind; defaults to the machine's interfaces plus loopback. */
  readonly isLocalAddress?: (ip: string) => boolean;
  /** The open-file limit listeners must leave room under; defaults to the process's own. */
  readonly openFileLimit?: number;
}

export type ListenerHandle = TcpProxy | UdpProxy | Blackhole;

interface Live {
  readonly spec: ListenerSpec;
  /** Served through portal rules: the address is not local. */
  readonly portal: boolean;
  /** The port actually bound (the ephemeral one for portals); 0 when nothing is bound. */
  readonly boundPort: number;
  readonly handle: ListenerHandle | undefined;
}

interface Planned {
  readonly spec: ListenerSpec;
  readonly portal: boolean;
}

/** Listeners that could not be opened in one sync, by the reason, reported together. */
type NotServed = Map<string, ListenerSpec[]>;

/** Reported one by one up to this many per reason; beyond, as one line with a count. */
const LISTED_FAILURES = 3;

export class UserspaceExecutor implements Executor<ListenerTable> {
  private live = new Map<string, Live>();
  private readonly installer: PortalInstaller;
  private readonly isLocal: (ip: string) => boolean;
  private warnings: string[] = [];
  private notServed: NotServed = new Map();
  private readonly fileLimit: number | undefined;
  private readonly capacity: number;
  /** Listeners holding a socket now, against `capacity`. */
  private openListeners = 0;

  constructor(private readonly opts: UserspaceExecutorOptions) {
    this.installer = new PortalInstaller(opts.netns);
    this.isLocal = opts.isLocalAddress ?? ((ip) => isLocalAddress(ip));
    this.fileLimit = opts.openFileLimit ?? openFileLimit();
    this.capacity = listenerCapacity(this.fileLimit);
  }

  async apply(program: ListenerTable, input: SyncInput): Promise<ApplyResult> {
    this.warnings = [...program.warnings];
    this.notServed = new Map();
    const planned = this.plan(program);
    const keep = new Map<string, Live>();
    const open: Planned[] = [];
    for (const p of planned.values()) {
      const cur = this.live.get(p.spec.id);
      if (cur && cur.portal === p.portal && cur.spec.action === p.spec.action) keep.set(p.spec.id, { ...cur, spec: p.spec });
      else open.push(p);
    }
    // Portal listeners bind ephemeral ports, so they can open before the rules that point at them; if
    // the rules fail they are closed again and everything stays as it was.
    const openedPortals = await this.openAll(open.filter((p) => p.portal));
    if (this.opts.portals === 'iptables') {
      const rules = portalRules([...keep.values(), ...openedPortals]);
      try {
        await this.installer.apply(rules, input.full);
      } catch (err) {
        for (const l of openedPortals) this.release(l, false);
        throw err;
      }
    }
    for (const [id, cur] of this.live) if (!keep.has(id)) this.release(cur, true);
    const openedDirect = await this.openAll(open.filter((p) => !p.portal));
    for (const l of keep.values()) if (l.handle instanceof TcpProxy || l.handle instanceof UdpProxy) l.handle.update(l.spec);
    this.live = new Map([...keep.values(), ...openedPortals, ...openedDirect].map((l) => [l.spec.id, l]));
    this.reportNotServed();
    return { warnings: this.warnings };
  }

  /** A process killed with -9 left its portal rules, pointing at ports nobody holds: remove them first. */
  async preflight(): Promise<void> {
    if (this.opts.portals === 'iptables') await this.installer.cleanup();
  }

  async cleanup(): Promise<void> {
    await this.close();
    try {
      await this.installer.cleanup();
    } catch (err) {
      // Without portals (not root) there is usually no permission to read the tables; nothing of ours
      // can be there in that case unless an earlier root run left it, which only root can remove anyway.
      if (this.opts.portals === 'iptables') throw err;
      this.opts.logger.v(2).info('Skipped portal cleanup', { err: (err as Error).message });
    }
  }

  /**
   * Portal rules redirect to this process's ephemeral ports, so they go with it (unlike the kernel modes'
   * rules): removed before the sockets close, or a process binding such a port later would receive the
   * Service's traffic.
   */
  async close(): Promise<void> {
    if (this.installer.installed) {
      await this.installer.cleanup().catch((err: Error) => this.opts.logger.error('Failed to remove portal rules', { err: err.message }));
    }
    for (const l of this.live.values()) this.release(l, false);
    this.live.clear();
  }

  /** How many listeners hold a socket now. */
  get listenerCount(): number {
    return this.openListeners;
  }

  /** The socket side of a listener, for tests and debugging; undefined when nothing is bound. */
  handle(id: string): ListenerHandle | undefined {
    return this.live.get(id)?.handle;
  }

  /** The port a listener is bound on (ephemeral for portals); 0 when nothing is bound (reject, filter-only); undefined when not served. */
  boundPort(id: string): number | undefined {
    return this.live.get(id)?.boundPort;
  }

  private plan(program: ListenerTable): Map<string, Planned> {
    const out = new Map<string, Planned>();
    for (const spec of program.listeners) {
      const portal = !this.isLocal(spec.address);
      if (portal && this.opts.portals === 'none') {
        this.warn(`${spec.servicePort}: ${spec.kind} ${spec.id} is not an address of this node and portals are off (portals: 'none'); not served`);
        continue;
      }
      out.set(spec.id, { spec, portal });
    }
    return out;
  }

  private async openAll(planned: readonly Planned[]): Promise<Live[]> {
    const out: Live[] = [];
    for (const p of planned) {
      const l = await this.openOne(p);
      if (l) out.push(l);
    }
    return out;
  }

  /** Undefined when the bind failed (a warning, not a failed sync). */
  private async openOne({ spec, portal }: Planned): Promise<Live | undefined> {
    // reject: nothing listens, so the kernel refuses (RST / ICMP port unreachable) as upstream's REJECT.
    // Portal reject/drop are filter rules alone.
    if (spec.action === 'reject' || (portal && spec.action !== 'proxy')) return { spec, portal, boundPort: 0, handle: undefined };
    if (this.openListeners >= this.capacity) return this.notServedBecause('open-file limit', spec);
    const handle = this.createHandle(spec);
    const host = portal ? WILDCARD[spec.family] : spec.address;
    try {
      const boundPort = await handle.listen(host, portal ? 0 : spec.port);
      this.openListeners++;
      this.opts.logger.v(2).info('Opened userspace listener', { servicePort: spec.servicePort, listener: spec.id, action: spec.action, boundPort });
      return { spec, portal, boundPort, handle };
    } catch (err) {
      closeHandle(handle, false);
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      // A portal binds port 0: EADDRINUSE there means no ephemeral port is left.
      return this.notServedBecause(portal && code === 'EADDRINUSE' ? 'no free ephemeral port' : code, spec);
    }
  }

  private notServedBecause(reason: string, spec: ListenerSpec): undefined {
    const specs = this.notServed.get(reason) ?? [];
    specs.push(spec);
    this.notServed.set(reason, specs);
    return undefined;
  }

  /** One warning per listener, or one per reason with a count when many failed alike (a limit was hit). */
  private reportNotServed(): void {
    for (const [reason, specs] of this.notServed) {
      for (const s of specs.slice(0, LISTED_FAILURES)) {
        this.warn(`${s.servicePort}: cannot listen on ${s.address} port ${s.port}/${s.protocol} (${reason}); not served`);
      }
      if (specs.length > LISTED_FAILURES) {
        this.warn(`${specs.length - LISTED_FAILURES} more listeners not served (${reason})${limitHint(reason, this.fileLimit)}`);
      }
    }
  }

  private createHandle(spec: ListenerSpec): ListenerHandle {
    if (spec.action === 'drop') return new Blackhole(spec);
    const now = this.opts.now ?? Date.now;
    const onWarning = (m: string): void => this.warn(m);
    const hook = this.opts.onConnection;
    const onConnection = hook && ((event: 'opened' | 'closed'): void => hook(event, spec.protocol));
    // The node's own addresses are what this process can bind: the same answer upstream's addrtype LOCAL gives.
    const isNodeAddress = this.isLocal;
    if (spec.protocol === 'UDP') {
      const maxFlows = this.opts.maxUdpFlows ?? 4096;
      return new UdpProxy(spec, { idleTimeoutMs: this.opts.udpIdleTimeoutMs ?? 30_000, maxFlows, now, onWarning, onConnection, isNodeAddress });
    }
    const connectTimeoutMs = this.opts.connectTimeoutMs ?? 3_000;
    return new TcpProxy(spec, { connectTimeoutMs, drainGraceMs: this.opts.drainGraceMs ?? 30_000, now, onWarning, onConnection, isNodeAddress });
  }

  private release(l: Live, drain: boolean): void {
    closeHandle(l.handle, drain);
    if (!l.handle) return;
    this.openListeners--;
    this.opts.logger.v(2).info('Closed userspace listener', { servicePort: l.spec.servicePort, listener: l.spec.id });
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.opts.logger.warn(message);
  }
}

function limitHint(reason: string, fileLimit: number | undefined): string {
  if ((reason === 'open-file limit' || reason === 'EMFILE') && fileLimit !== undefined) {
    return `: this process may open ${fileLimit} files and keeps ${descriptorReserve(fileLimit)} of them for connections, tools and its HTTP servers; raise its open-file limit (ulimit -n, LimitNOFILE)`;
  }
  if (reason === 'no free ephemeral port') return ': every portal listener takes a port from net.ipv4.ip_local_port_range; widen it';
  return '';
}

/** Stop accepting; TCP relays drain for the grace period when `drain`, otherwise everything closes now. */
function closeHandle(h: ListenerHandle | undefined, drain: boolean): void {
  if (h instanceof TcpProxy) h.close(drain);
  else h?.close();
}

function portalRules(listeners: readonly Live[]): PortalRule[] {
  return listeners
    .filter((l) => l.portal)
    .map((l) => ({
      family: l.spec.family,
      protocol: l.spec.protocol,
      address: l.spec.address,
      port: l.spec.port,
      servicePort: l.spec.servicePort,
      target: l.spec.action === 'proxy' ? l.boundPort : l.spec.action === 'reject' ? 'REJECT' : 'DROP',
    }));
}
