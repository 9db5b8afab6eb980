// Runs inside the cluster lab's api namespace as
//   node api-relay.js LISTEN_IP:PORT UNIX_SOCKET_PATH
// and relays every TCP connection to the Unix socket, where the test process serves its API server. A Unix
// socket is a file, not an address of some network namespace, so it is the one door between the lab (whose
// nodes cannot reach the host's loopback) and the test process. Prints "ready" once it listens.

import { connect, createServer } from 'node:net';
import { splitHostPort } from '../../src/lab/flow-wire.js';

function main(): void {
  const [listen = '', socketPath = ''] = process.argv.slice(2);
  const { ip, port } = splitHostPort(listen, 'listen address');
  if (socketPath === '') throw new Error('usage: api-relay LISTEN_IP:PORT UNIX_SOCKET_PATH');
  const server = createServer((inbound) => {
    const outbound = connect(socketPath);
    // Either side going away ends the other: a kproxy watch sees the cut as the API server would show it.
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  server.once('error', (err) => {
    process.stderr.write(`api-relay: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(port, ip, () => process.stdout.write('ready\n'));
}

main();
