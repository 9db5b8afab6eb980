// The `drop` action on an address the process can bind: traffic must get no answer at all. Without a
// packet filter a socket cannot refuse to complete a TCP handshake, so the closest honest behaviour is to
// accept and then never write or close: the client sees silence, as behind a DROP rule, until it gives
// up. What it sends is read and discarded, so its own close is noticed and the socket released. UDP datagrams are read and discarded, so the kernel sends no ICMP port unreachable either.
// (With portals: 'iptables', drops on addresses the node does not own are real DROP rules instead.)

import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { ListenerSpec } from './listener-table.js';

/** Held TCP connections per listener; beyond this the oldest is reset so a flood cannot exhaust fds. */
const MAX_HELD = 256;

/** Accepted TCP connections that must look dropped: read and discarded, never answered, bounded. */
export class SilentHold {
  private readonly held = new Set<Socket>();

  get size(): number {
    return this.held.size;
  }

  hold(s: Socket): void {
    s.on('error', () => s.destroy());
    s.on('data', () => undefined);
    s.once('close', () => this.held.delete(s));
    this.held.add(s);
    if (this.held.size > MAX_HELD) {
      const oldest = this.held.values().next().value;
      oldest?.resetAndDestroy();
    }
  }

  releaseAll(): void {
    for (const s of this.held) s.destroy();
    this.held.clear();
  }
}

export class Blackhole {
  private readonly tcp: Server | undefined;
  private readonly udp: UdpSocket | undefined;
  private readonly held = new SilentHold();

  constructor(spec: ListenerSpec) {
    if (spec.protocol === 'TCP') {
      this.tcp = createServer((s) => this.held.hold(s));
    } else {
      const type = spec.family === 'IPv6' ? 'udp6' : 'udp4';
      this.udp = createSocket({ type, ipv6Only: type === 'udp6' });
      this.udp.on('message', () => undefined);
    }
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.tcp) {
        const tcp = this.tcp;
        tcp.once('error', reject);
        tcp.listen({ host, port, ipv6Only: host.includes(':') }, () => {
          tcp.removeListener('error', reject);
          const addr = tcp.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      } else if (this.udp) {
        const udp = this.udp;
        udp.once('error', reject);
        udp.bind({ address: host, port, exclusive: true }, () => {
          udp.removeListener('error', reject);
          udp.on('error', () => undefined);
          resolve(udp.address().port);
        });
      }
    });
  }

  get heldConnections(): number {
    return this.held.size;
  }

  close(): void {
    this.tcp?.close();
    this.held.releaseAll();
    this.udp?.close();
  }
}
