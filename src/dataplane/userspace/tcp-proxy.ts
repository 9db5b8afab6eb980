// One TCP listener relaying each accepted connection to a backend. The client socket is accepted paused, so
// nothing it sends is read (or buffered) until a backend connection exists; then pipe() relays both ways,
// which pauses whichever side's peer has a full write buffer: the proxy never buffers more than about one
// high-water mark per direction, however slow either end reads.

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { BackendPicker } from './backend-picker.js';
import { SilentHold } from './blackhole.js';
import type { ListenerSpec } from './listener-table.js';
import { isLocalAddress } from './portals.js';
import { SourceRoutedPicker } from './source-routed-picker.js';
import type { Backend } from '../../schedulers/types.js';

export interface TcpProxyOptions {
  readonly connectTimeoutMs: number;
  /** How long connections to a removed backend (or of a removed listener) may finish before being cut. */
  readonly drainGraceMs: number;
  readonly now: () => number;
  readonly onWarning: (message: string) => void;
  /** A relay opened or closed (metrics). */
  readonly onConnection?: (event: 'opened' | 'closed') => void;
  /** Whether a client address is the node's own (in-cluster routes); defaults to the machine's interfaces. */
  readonly isNodeAddress?: (ip: string) => boolean;
}

/** A live relay, as tests and debugging see it. */
export interface TcpRelayInfo {
  readonly backendId: string;
  readonly client: string;
  /** Bytes read from each side so far. */
  readonly fromClient: number;
  readonly fromBackend: number;
  /** Bytes accepted for writing but not yet handed to the kernel, per direction. */
  readonly queuedToClient: number;
  readonly queuedToBackend: number;
  /** A side is paused because its peer's write buffer is full (back-pressure). */
  readonly clientPaused: boolean;
  readonly backendPaused: boolean;
}

interface Relay {
  readonly backendId: string;
  readonly client: Socket;
  readonly backend: Socket;
}

/** At most this many backends are tried per connection before the client is refused. */
const MAX_ATTEMPTS = 3;

export class TcpProxy {
  private readonly server: Server;
  private readonly picker: SourceRoutedPicker;
  private readonly relaySet = new Set<Relay>();
  private readonly pending = new Set<Socket>();
  private readonly refused = new SilentHold();
  private readonly drainTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;
  private readonly servicePort: string;

  constructor(
    spec: ListenerSpec,
    private readonly opts: TcpProxyOptions,
  ) {
    this.servicePort = spec.servicePort;
    this.picker = new SourceRoutedPicker(spec, opts.now, opts.onWarning, opts.isNodeAddress ?? ((ip) => isLocalAddress(ip)));
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => void this.accept(client));
  }

  /** Bind; resolves with the bound port (the ephemeral one when `port` is 0). Rejects on bind errors. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
        this.server.removeListener('error', onError);
        this.server.on('error', (err) => this.opts.onWarning(`${this.servicePort}: TCP listener ${host}:${port}: ${err.message}`));
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  update(spec: ListenerSpec): void {
    const removed = this.picker.update(spec);
    for (const [id, timer] of this.drainTimers) {
      if (this.picker.has(id)) {
        clearTimeout(timer);
        this.drainTimers.delete(id);
      }
    }
    for (const id of removed) this.scheduleDrain(id);
  }

  /** Stop accepting. With `drain`, live relays get the grace period; without, they are cut now. */
  close(drain: boolean): void {
    this.closed = true;
    this.server.close();
    this.refused.releaseAll();
    for (const s of this.pending) s.destroy();
    for (const t of this.drainTimers.values()) clearTimeout(t);
    this.drainTimers.clear();
    if (!drain) {
      for (const r of this.relaySet) this.teardown(r);
      return;
    }
    const timer = setTimeout(() => {
      for (const r of this.relaySet) this.teardown(r);
    }, this.opts.drainGraceMs);
    timer.unref();
  }

  get connectionCounts(): BackendPicker['counts'] {
    return this.picker.counts;
  }

  relays(): TcpRelayInfo[] {
    return [...this.relaySet].map((r) => ({
      backendId: r.backendId,
      client: `${r.client.remoteAddress}:${r.client.remotePort}`,
      fromClient: r.client.bytesRead,
      fromBackend: r.backend.bytesRead,
      queuedToClient: r.client.writableLength,
      queuedToBackend: r.backend.writableLength,
      clientPaused: r.client.isPaused(),
      backendPaused: r.backend.isPaused(),
    }));
  }

  private async accept(client: Socket): Promise<void> {
    client.on('error', () => client.destroy());
    const ip = client.remoteAddress;
    const port = client.remotePort ?? 0;
    if (this.closed || !ip) {
      client.resetAndDestroy();
      return;
    }
    // loadBalancerSourceRanges: upstream drops other sources, so they get silence, not a reset. So does
    // a Local policy without local endpoints for clients that are not in-cluster.
    const picker = this.picker.forClient(ip);
    if (!this.picker.admits(ip) || picker.size === 0) {
      this.refused.hold(client);
      return;
    }
    const tried = new Set<string>();
    const attempts = Math.min(MAX_ATTEMPTS, picker.size);
    for (let i = 0; i < attempts && !client.destroyed; i++) {
      const backend = picker.pick(ip, port, tried);
      if (!backend) break;
      tried.add(backend.id);
      const socket = await this.connectBackend(backend).catch(() => undefined);
      if (!socket) continue;
      // The client left, or the backend was removed, while we were connecting.
      if (client.destroyed || this.closed || !this.picker.has(backend.id)) {
        socket.destroy();
        continue;
      }
      picker.chosen(ip, backend.id);
      this.relay(client, socket, backend.id);
      return;
    }
    // Nothing took it: refuse at once rather than leave the client waiting on a dead connection.
    if (!client.destroyed) client.resetAndDestroy();
  }

  private connectBackend(b: Backend): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: b.ip, port: b.port, allowHalfOpen: true });
      this.pending.add(socket);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${b.id} timed out`)), this.opts.connectTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.pending.delete(socket);
        socket.removeListener('error', onError);
      };
      const onError = (err: Error): void => {
        done();
        socket.destroy();
        reject(err);
      };
      socket.once('error', onError);
      socket.once('close', () => {
        if (this.pending.has(socket)) onError(new Error(`connection to ${b.id} closed while connecting`));
      });
      socket.once('connect', () => {
        done();
        resolve(socket);
      });
    });
  }

  private relay(client: Socket, backend: Socket, backendId: string): void {
    const r: Relay = { backendId, client, backend };
    this.relaySet.add(r);
    this.picker.counts.opened(backendId);
    this.opts.onConnection?.('opened');
    // An error on either side ends the relay; a clean close of one side leaves the other to finish
    // flushing what it still holds (half-close), after which it closes by itself.
    backend.on('error', () => this.teardown(r));
    client.on('error', () => this.teardown(r));
    let open = 2;
    const onClose = (hadError: boolean): void => {
      if (hadError) this.teardown(r);
      if (--open === 0) this.relaySet.delete(r);
    };
    client.once('close', onClose);
    backend.once('close', (hadError) => {
      this.picker.counts.closed(backendId);
      this.opts.onConnection?.('closed');
      onClose(hadError);
    });
    client.pipe(backend);
    backend.pipe(client);
  }

  private teardown(r: Relay): void {
    r.client.destroy();
    r.backend.destroy();
  }

  private scheduleDrain(backendId: string): void {
    if (this.drainTimers.has(backendId)) return;
    const timer = setTimeout(() => {
      this.drainTimers.delete(backendId);
      if (this.picker.has(backendId)) return;
      for (const r of this.relaySet) if (r.backendId === backendId) this.teardown(r);
    }, this.opts.drainGraceMs);
    timer.unref();
    this.drainTimers.set(backendId, timer);
  }
}
