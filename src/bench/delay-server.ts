// The delayed backend for the schedulers experiment, run in the pods namespace as
//   node delay-server.js PORT DELAY_MS
// It answers every HTTP request after DELAY_MS with the address it was reached on (so the load generator
// can count how the scheduler spread the requests) and prints "ready" once it listens on all addresses.

import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const delayMs = Number(process.argv[3]);
if (!Number.isInteger(port) || !(delayMs >= 0)) {
  process.stderr.write(`usage: delay-server.js PORT DELAY_MS (got ${process.argv.slice(2).join(' ')})\n`);
  process.exit(2);
}
const server = createServer((req, res) => {
  req.resume();
  setTimeout(() => res.end(`${req.socket.localAddress ?? '?'}\n`), delayMs);
});
server.keepAliveTimeout = 1000;
server.listen({ port, host: '0.0.0.0', backlog: 8192 }, () => process.stdout.write('ready\n'));
