// Helpers for the IPVS kernel tests inside user-mode Linux: a held connection, `ipvsadm -Ln` of one
// virtual server in the node namespace, and flows' answering endpoints.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../src/lab/node-lab.js';
import { sendFlow } from '../flow/scenario-run.js';
import type { Flow } from '../flow/scenario.js';

export interface HeldConnection {
  /** Send the request; resolves with the endpoint that answered, then the connection is reset. */
  send(): Promise<string>;
  close(): void;
}

export async function holdConnection(lab: Lab, to: string): Promise<HeldConnection> {
  const [ip, port] = to.split(':');
  const script = fileURLToPath(new URL('./held-client.js', import.meta.url));
  const child: ChildProcess = spawn('ip', ['netns', 'exec', lab.ns.client, process.execPath, script, ip ?? '', port ?? ''], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) resolve(m);
        else if (/^error /m.test(out)) reject(new Error(`held connection to ${to}: ${out.trim()}`));
      };
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        check();
      });
      check();
    });
  await waitFor(/^connected$/m);
  return {
    async send() {
      child.stdin?.write('send\n');
      const m = await waitFor(/^answer (.*)$/m);
      return (JSON.parse(m[1] ?? '{}') as { endpoint: string }).endpoint;
    },
    close: () => void child.kill('SIGKILL'),
  };
}

export interface RealServerState {
  readonly weight: number;
  readonly active: number;
  readonly inactive: number;
}

/** Real servers of one virtual server (e.g. "-t 10.96.5.1:80"), by "ip:port". */
export async function realServers(lab: Lab, service: string): Promise<Map<string, RealServerState>> {
  const out = (await lab.exec('node', 'ipvsadm', ['-Ln', ...service.split(' ')])).stdout;
  const map = new Map<string, RealServerState>();
  for (const m of out.matchAll(/^\s+->\s+(\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)/gm)) {
    map.set(m[1] ?? '', { weight: Number(m[2]), active: Number(m[3]), inactive: Number(m[4]) });
  }
  return map;
}

/** The endpoints that answered `count` TCP flows from the client to `to`, in order ('-' for no answer). */
export async function answers(lab: Lab, to: string, count: number, fromIP?: string): Promise<string[]> {
  const flow: Flow = { from: 'client', proto: 'tcp', to, count, expect: {}, ...(fromIP ? { fromIP } : {}) };
  return (await sendFlow(lab, flow)).map((r) => (r.outcome === 'answered' ? r.endpoint ?? '?' : `-${r.outcome}`));
}
