// Runs inside a network namespace as
//   node ns-relay.js LISTEN TARGET        (each IP:PORT, or unix:PATH)
// and relays every connection on LISTEN to TARGET. A Unix socket is a file, not an address of some network
// namespace, so it is the one door between a namespace (whose loopback is its own) and the host: the API
// door (api-door.ts) listens on an address in the namespace and relays to a socket the host serves; the
// upstream benchmark reads a proxy's metrics the other way round. Prints "ready" once it listens.

import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

type Place = { path: string } | { host: string; port: number };

/** `unix:PATH` or `IP:PORT` (an IPv6 address in brackets). */
export function relayPlace(text: string): Place {
  if (text.startsWith('unix:')) return { path: text.slice('unix:'.length) };
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not unix:PATH or IP:PORT: ${JSON.stringify(text)}`);
  return { host, port };
}

function open(place: Place): Socket {
  return 'path' in place ? connect(place.path) : connect(place.port, place.host);
}

function main(): void {
  const [listenText = '', targetText = ''] = process.argv.slice(2);
  const listen = relayPlace(listenText);
  const target = relayPlace(targetText);
  const server = createServer((inbound) => {
    const outbound = open(target);
    // Either side going away ends the other: a kproxy watch sees the cut as the API server would show it.
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  server.once('error', (err) => {
    process.stderr.write(`ns-relay: ${err.message}\n`);
    process.exit(1);
  });
  const ready = () => process.stdout.write('ready\n');
  if ('path' in listen) server.listen(listen.path, ready);
  else server.listen(listen.port, listen.host, ready);
}

// Run as a script (the door and the benchmark do); imported, it only lends relayPlace.
if (process.argv[1] === fileURLToPath(import.meta.url)) main();
