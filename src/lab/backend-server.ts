// The pods: run inside the lab's pods namespace as `node backend-server.js IP:PORT...`. Binds TCP and UDP on
// every given podIP:port and answers each request with one JSON line naming the endpoint that answered and
// the peer it saw: over TCP after reading one line, over UDP once per datagram. Prints "ready" once every
// socket is bound, so the harness knows when it may send.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { joinHostPort, splitHostPort, type BackendAnswer } from './flow-wire.js';

function answer(endpoint: string, peerIP: string | undefined, peerPort: number | undefined): string {
  const reply: BackendAnswer = { endpoint, source: joinHostPort(peerIP ?? '?', peerPort ?? 0) };
  return `${JSON.stringify(reply)}\n`;
}

function serveTcp(ip: string, port: number): Promise<Server> {
  const endpoint = joinHostPort(ip, port);
  const server = createServer((socket: Socket) => {
    let seen = '';
    socket.on('error', () => undefined); // a client that vanishes must not bring the backend down
    socket.on('data', (chunk) => {
      seen += chunk.toString();
      if (!seen.includes('\n')) return;
      socket.end(answer(endpoint, socket.remoteAddress, socket.remotePort));
      socket.removeAllListeners('data');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, ipv6Only: isIP(ip) === 6 }, () => resolve(server));
  });
}

function serveUdp(ip: string, port: number): Promise<UdpSocket> {
  const endpoint = joinHostPort(ip, port);
  const socket = createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
  socket.on('message', (_msg, peer) => socket.send(answer(endpoint, peer.address, peer.port), peer.port, peer.address));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: ip, port }, () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

async function main(): Promise<void> {
  const addresses = process.argv.slice(2).map((a) => splitHostPort(a, 'backend address'));
  if (addresses.length === 0) throw new Error('usage: backend-server IP:PORT [IP:PORT...]');
  await Promise.all(addresses.flatMap(({ ip, port }) => [serveTcp(ip, port), serveUdp(ip, port)]));
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`backend-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
