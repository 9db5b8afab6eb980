// A TCP connection held open, run inside a lab namespace as `node held-client.js IP PORT`. Prints
// "connected" once established (it sends nothing, so the backend keeps it open); on the stdin line "send"
// it sends its request, prints the backend's answer line, then resets the connection (RST) and exits. The
// reset puts the IPVS entry into CLOSE (10 s) rather than TIME_WAIT (2 min), so a drained real server
// becomes idle quickly.

import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const [host, port] = process.argv.slice(2);
const socket = connect({ host: host ?? '', port: Number(port) });
let received = '';
socket.on('connect', () => process.stdout.write('connected\n'));
socket.on('error', (err) => {
  process.stdout.write(`error ${err.message}\n`);
  process.exit(1);
});
socket.on('data', (chunk) => {
  received += chunk.toString();
  const end = received.indexOf('\n');
  if (end < 0) return;
  process.stdout.write(`answer ${received.slice(0, end)}\n`);
  socket.resetAndDestroy();
  process.exit(0);
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'send') socket.write('hello\n');
});
