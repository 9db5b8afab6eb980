#!/usr/bin/env node
// One request to a Service of the example cluster, with nothing but Node: a fresh Debian machine has
// neither nc nor curl, and the quick start should not send anyone to install them.
//
//   node examples/ask.mjs http://127.0.10.1:8080/          an HTTP GET; prints the body
//   node examples/ask.mjs udp://127.0.10.3:5353 hello      one UDP datagram; prints the answer

import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { fileURLToPath } from 'node:url';

/** One UDP datagram to `host:port` and the answer as text; never rejects (the reason is the answer). */
export function askUdp(host, port, text, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const done = (answer) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
    socket.on('message', (msg) => done(msg.toString()));
    socket.on('error', (err) => done(`no answer (${err.message})`));
    socket.send(text, port, host);
  });
}

/** The answer to `url` (http:, https: or udp:) as text; never rejects. */
export async function ask(url, payload = 'hello') {
  const u = new URL(url);
  if (u.protocol === 'udp:') return askUdp(u.hostname.replace(/^\[|\]$/g, ''), Number(u.port), payload);
  return fetch(u, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.text(),
    (e) => `no answer (${e.cause?.message ?? e.message})`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [url, payload] = process.argv.slice(2);
  if (!url) {
    process.stderr.write('usage: node examples/ask.mjs http://HOST:PORT/PATH | udp://HOST:PORT [TEXT]\n');
    process.exit(2);
  }
  const answer = await ask(url, payload);
  process.stdout.write(answer.endsWith('\n') ? answer : `${answer}\n`);
  if (answer.startsWith('no answer')) process.exitCode = 1;
}
