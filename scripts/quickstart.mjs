#!/usr/bin/env node
// `npm start`: the quick start. Installs and builds when needed, starts the example backends and kproxy
// (userspace mode, no root needed) on the example cluster in examples/cluster, shows one request through a
// Service, prints how to reach the others, and runs until Ctrl-C.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask } from '../examples/ask.mjs';
import { prepare } from './prepare.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
prepare(root, { onlyWhenChanged: true });

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
  const m = /^kubeproxy_sync_proxy_rules_last_timestamp_seconds(?:\{[^}]*\})? (\S+)/m.exec(text);
  if (m && Number(m[1]) > 0) break;
}
const answer = await ask('http://127.0.10.1:8080/');
const udpAnswer = await ask('udp://127.0.10.3:5353', 'hello');
console.log(`
== kproxy is serving the example cluster.
   TCP through the Service "web" (127.0.10.1:8080): ${answer.trim()}
   UDP through the Service "dns-like" (127.0.10.3:5353): ${udpAnswer.trim()}

Try (curl works for the http:// ones too):
   node examples/ask.mjs http://127.0.10.1:8080/          # web: round robin over three endpoints
   node examples/ask.mjs http://127.0.10.2:8080/          # sticky: ClientIP affinity, same endpoint every time
   node examples/ask.mjs udp://127.0.10.3:5353 hello      # dns-like: UDP
   node examples/ask.mjs http://127.0.0.1:30080/          # web-np: a NodePort on the node address
   node examples/ask.mjs http://127.0.0.1:10256/healthz   # upstream's health check
   node examples/ask.mjs http://127.0.0.1:10249/metrics   # upstream's metric names
   node bin/kproxy.js render --proxy-mode=userspace --from examples/cluster
Edit a file in examples/cluster and kproxy applies it live (write a new file and rename it over the old
one: see README.md). Ctrl-C stops everything.
`);
