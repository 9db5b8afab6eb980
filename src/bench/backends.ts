// What answers behind the Services: one nginx in the pods namespace on every pod IP (port 80, replies with
// the address it was reached on), the delayed server for the schedulers experiment (port 8081), and
// HAProxy in the node namespace for the userspace comparison. All are children of the lab, so the lab's
// teardown (and Ctrl-C) ends them.

import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchLab, BenchPlace } from './bench-lab.js';

export const NGINX_PORT = 80;
export const DELAY_PORT = 8081;

export function nginxConfig(dir: string): string {
  return `worker_processes 2;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen ${NGINX_PORT} backlog=8192;
    location / { default_type text/plain; return 200 "$server_addr\\n"; }
  }
}
`;
}

/** HAProxy in TCP mode on `listen`, round robin over `backends` (ip:port). */
export function haproxyConfig(listen: string, backends: readonly string[]): string {
  return [
    'global',
    '  maxconn 8000',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend bench',
    `  bind ${listen}`,
    '  default_backend pods',
    'backend pods',
    '  balance roundrobin',
    ...backends.map((b, i) => `  server pod${i} ${b}`),
    '',
  ].join('\n');
}

/** Resolve once `probe` succeeds, or fail with what the process printed. */
async function waitUntil(what: string, child: ChildProcess, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${output.trim().slice(-2000)}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms: ${output.trim().slice(-2000)}`);
}

/** true when something listens on TCP `port` in `place` (ss -ltn). */
async function listening(lab: BenchLab, place: BenchPlace, port: number): Promise<boolean> {
  const { stdout } = await lab.exec(place, 'ss', ['-Hltn', `sport = :${port}`]);
  return stdout.trim().length > 0;
}

export async function startNginx(lab: BenchLab): Promise<void> {
  const dir = lab.tempDir();
  await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir));
  const child = lab.spawn('pods', 'nginx', ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')]);
  await waitUntil('nginx', child, () => listening(lab, 'pods', NGINX_PORT));
}

export async function startDelayServer(lab: BenchLab, delayMs: number): Promise<void> {
  const script = fileURLToPath(new URL('./delay-server.js', import.meta.url));
  const child = lab.spawn('pods', process.execPath, [script, String(DELAY_PORT), String(delayMs)]);
  await waitUntil('delay-server', child, () => listening(lab, 'pods', DELAY_PORT));
}

export async function startHaproxy(lab: BenchLab, listenIP: string, listenPort: number, backends: readonly string[]): Promise<void> {
  const dir = lab.tempDir();
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(`${listenIP}:${listenPort}`, backends));
  const child = lab.spawn('node', 'haproxy', ['-db', '-f', file]);
  await waitUntil('haproxy', child, () => listening(lab, 'node', listenPort));
}
