#!/usr/bin/env node
// `npm start`: the quick start. Installs and builds when needed, starts the example backends and kproxy
// (userspace mode, no root needed) on the example cluster in examples/cluster, shows one request through a
// Service, prints how to reach the others, and runs until Ctrl-C.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare } from './prepare.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
prepare(root);

const { startBackends } = await import(join(root, 'examples', 'backends.mjs'));
const cluster = join(root, 'examples', 'cluster');
const backends = await startBackends(cluster);
console.log(`\n== example backends listening on ${backends.addresses.join(', ')}`);

const metrics = '127.0.0.1:10249';
const args = [
  join(root, 'bin', 'kproxy.js'),
  '--proxy-mode=userspace',
  `--from=${cluster}`,
  '--hostname-override=kproxy-example',
  '--healthz-bind-address=127.0.0.1:10256',
  `--metrics-bind-address=${metrics}`,
  ...process.argv.slice(2),
];
console.log(`\n== starting: kproxy ${args.slice(1).join(' ')}\n`);
const kproxy = spawn(process.execPath, args, { stdio: 'inherit' });

const shutdown = async () => {
  kproxy.kill('SIGTERM');
  await backends.close();
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
kproxy.on('exit', (code) => {
  void backends.close().then(() => process.exit(code ?? 0));
});

// Wait for the first completed sync, then show a request through the `web` Service.
for (let i = 0; i < 100; i++) {
  await new Promise((r) => setTimeout(r, 100));
  const text = await fetch(`http://${metrics}/metrics`).then((r) => r.text(), () => '');
  const m = /^kubeproxy_sync_proxy_rules_last_timestamp_seconds (\S+)/m.exec(text);
  if (m && Number(m[1]) > 0) break;
}
const answer = await fetch('http://127.0.10.1:8080/').then((r) => r.text(), (e) => `no answer (${e.message})`);
const udpAnswer = await askUdp('127.0.10.3', 5353, 'hello');
console.log(`
== kproxy is serving the example cluster.
   TCP through the Service "web" (127.0.10.1:8080): ${answer.trim()}
   UDP through the Service "dns-like" (127.0.10.3:5353): ${udpAnswer.trim()}

Try:
   curl http://127.0.10.1:8080/                    # web: round robin over three endpoints
   curl http://127.0.10.2:8080/                    # sticky: ClientIP affinity, same endpoint every time
   echo hello | nc -u -w1 127.0.10.3 5353          # dns-like: UDP (nc from netcat-openbsd)
   curl http://127.0.0.1:30080/                    # web-np: a NodePort on the node address
   curl http://127.0.0.1:10256/healthz             # upstream's health check
   curl http://127.0.0.1:10249/metrics             # upstream's metric names
   node bin/kproxy.js render --proxy-mode=userspace --from examples/cluster
Edit a file in examples/cluster and kproxy applies it live. Ctrl-C stops everything.
`);

/** One UDP datagram to a Service and its answer (what `nc -u` would show). */
function askUdp(host, port, text) {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (answer) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done('no answer within 2 s'), 2000);
    socket.on('message', (msg) => done(msg.toString()));
    socket.on('error', (err) => done(`no answer (${err.message})`));
    socket.send(text, port, host);
  });
}
