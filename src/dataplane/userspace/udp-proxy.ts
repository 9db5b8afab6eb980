// One UDP listener. UDP has no connections, so the proxy keeps a flow per client ip:port: the first
// datagram picks a backend (affinity, then the scheduler) and opens an upstream socket connected to it;
// replies arriving there go back to the client from the listener socket, so the client sees the address
// it sent to. A flow ends after an idle timeout, when its backend goes away, or when the backend answers
// with ICMP unreachable (the connected upstream socket reports it as an error).

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { BackendPicker } from './backend-picker.js';
import type { ListenerSpec } from './listener-table.js';
import { isLocalAddress } from './portals.js';
import { SourceRoutedPicker } from './source-routed-picker.js';
import type { Backend } from '../../schedulers/types.js';

export interface UdpProxyOptions {
  readonly idleTimeoutMs: number;
  /** New clients beyond this many live flows are dropped (like a full conntrack table). */
  readonly maxFlows: number;
  readonly now: () => number;
  readonly onWarning: (message: string) => void;
  /** A flow opened or ended (metrics). */
  readonly onConnection?: (event: 'opened' | 'closed') => void;
  /** Whether a client address is the node's own (in-cluster routes); defaults to the machine's interfaces. */
  readonly isNodeAddress?: (ip: string) => boolean;
}

export interface UdpFlowInfo {
  readonly client: string;
  readonly backendId: string;
  readonly idleMs: number;
}

interface Flow {
  readonly key: string;
  readonly clientIP: string;
  readonly clientPort: number;
  readonly backendId: string;
  readonly upstream: Socket;
  lastActive: number;
  /** Datagrams that arrived before the upstream socket finished connecting. */
  waiting: Buffer[] | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** Datagrams held per flow while its upstream socket connects; more are dropped, as a full queue would. */
const MAX_WAITING = 64;

export class UdpProxy {
  private readonly socket: Socket;
  private readonly picker: SourceRoutedPicker;
  private readonly flowMap = new Map<string, Flow>();
  private droppedFull = 0;
  private closed = false;

  constructor(
    private readonly spec: ListenerSpec,
    private readonly opts: UdpProxyOptions,
  ) {
    this.picker = new SourceRoutedPicker(spec, opts.now, opts.onWarning, opts.isNodeAddress ?? ((ip) => isLocalAddress(ip)));
    const type = spec.family === 'IPv6' ? 'udp6' : 'udp4';
    this.socket = createSocket({ type, ipv6Only: type === 'udp6' });
    this.socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.socket.once('error', onError);
      this.socket.bind({ address: host, port, exclusive: true }, () => {
        this.socket.removeListener('error', onError);
        this.socket.on('error', (err) => this.opts.onWarning(`${this.spec.servicePort}: UDP listener ${this.spec.id}: ${err.message}`));
        resolve(this.socket.address().port);
      });
    });
  }

  /** New backends apply to new flows; flows to a removed backend end at once (UDP has nothing to drain). */
  update(spec: ListenerSpec): void {
    const removed = new Set(this.picker.update(spec));
    for (const f of this.flowMap.values()) if (removed.has(f.backendId)) this.endFlow(f);
  }

  close(): void {
    this.closed = true;
    for (const f of this.flowMap.values()) this.endFlow(f);
    this.socket.close();
  }

  flows(): UdpFlowInfo[] {
    const now = this.opts.now();
    return [...this.flowMap.values()].map((f) => ({ client: f.key, backendId: f.backendId, idleMs: now - f.lastActive }));
  }

  /** Datagrams of new clients refused because the flow table was full. */
  get droppedForFullTable(): number {
    return this.droppedFull;
  }

  get connectionCounts(): BackendPicker['counts'] {
    return this.picker.counts;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    const key = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
    const flow = this.flowMap.get(key) ?? this.newFlow(key, rinfo);
    if (!flow) return;
    flow.lastActive = this.opts.now();
    if (flow.waiting) {
      if (flow.waiting.length < MAX_WAITING) flow.waiting.push(msg);
      return;
    }
    flow.upstream.send(msg, (err) => err && this.endFlow(flow));
  }

  private newFlow(key: string, rinfo: RemoteInfo): Flow | undefined {
    if (!this.picker.admits(rinfo.address)) return undefined;
    if (this.flowMap.size >= this.opts.maxFlows) {
      if (this.droppedFull++ === 0) {
        this.opts.onWarning(`${this.spec.servicePort}: UDP listener ${this.spec.id} has ${this.opts.maxFlows} flows; dropping datagrams of new clients`);
      }
      return undefined;
    }
    // A client with no backend for it (Local policy, none here, not in-cluster): its datagrams are dropped.
    const picker = this.picker.forClient(rinfo.address);
    const backend = picker.pick(rinfo.address, rinfo.port);
    if (!backend) return undefined;
    const flow = this.openUpstream(key, rinfo, backend);
    this.flowMap.set(key, flow);
    this.picker.counts.opened(backend.id);
    this.opts.onConnection?.('opened');
    picker.chosen(rinfo.address, backend.id);
    this.armIdleTimer(flow, this.opts.idleTimeoutMs);
    return flow;
  }

  private openUpstream(key: string, rinfo: RemoteInfo, backend: Backend): Flow {
    const upstream = createSocket(backend.ip.includes(':') ? 'udp6' : 'udp4');
    const flow: Flow = {
      key,
      clientIP: rinfo.address,
      clientPort: rinfo.port,
      backendId: backend.id,
      upstream,
      lastActive: this.opts.now(),
      waiting: [],
      timer: undefined,
    };
    upstream.on('error', () => this.endFlow(flow));
    upstream.on('message', (reply) => {
      flow.lastActive = this.opts.now();
      this.socket.send(reply, flow.clientPort, flow.clientIP, () => undefined);
    });
    upstream.connect(backend.port, backend.ip, () => {
      const waiting = flow.waiting ?? [];
      flow.waiting = undefined;
      for (const m of waiting) upstream.send(m, (err) => err && this.endFlow(flow));
    });
    return flow;
  }

  /** Timers are re-armed lazily: activity only stamps lastActive, the timer checks it when it fires. */
  private armIdleTimer(flow: Flow, delayMs: number): void {
    flow.timer = setTimeout(() => {
      const idle = this.opts.now() - flow.lastActive;
      if (idle >= this.opts.idleTimeoutMs) this.endFlow(flow);
      else this.armIdleTimer(flow, this.opts.idleTimeoutMs - idle);
    }, Math.max(1, delayMs));
    flow.timer.unref();
  }

  private endFlow(flow: Flow): void {
    if (this.flowMap.get(flow.key) !== flow) return;
    this.flowMap.delete(flow.key);
    clearTimeout(flow.timer);
    this.picker.counts.closed(flow.backendId);
    this.opts.onConnection?.('closed');
    try {
      flow.upstream.close();
    } catch {
      // Already closed by the error that ended the flow.
    }
  }
}
