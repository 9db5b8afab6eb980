// What the off-cluster client sees: TCP flows to a node's port (through test/flow's flow client) and
// health checks as a load balancer sends them, each run inside the client namespace.

import { fileURLToPath } from 'node:url';
import type { FlowResult } from '../../src/lab/flow-wire.js';
import type { ClusterLab } from './topology.js';

export interface HealthAnswer {
  status?: number;
  body?: string;
  /** Set when no HTTP answer came (ECONNREFUSED, timeout, ...). */
  error?: string;
}

/** `count` TCP flows to `to` (IP:PORT), one after another, each from a fresh source port. */
export async function sendFlows(lab: ClusterLab, to: string, count: number, timeoutMs = 2000): Promise<FlowResult[]> {
  const client = fileURLToPath(new URL('../flow/flow-client.js', import.meta.url));
  const args = [client, '--proto', 'tcp', '--to', to, '--count', String(count), '--timeout-ms', String(timeoutMs)];
  const { stdout } = await lab.exec('client', process.execPath, args, 30_000 + count * timeoutMs);
  return JSON.parse(stdout) as FlowResult[];
}

/** One health check of http://IP:PORT/ from the client. */
export async function probeHealth(lab: ClusterLab, ip: string, port: number): Promise<HealthAnswer> {
  const probe = fileURLToPath(new URL('./health-probe.js', import.meta.url));
  const { stdout } = await lab.exec('client', process.execPath, [probe, `http://${ip}:${port}/`]);
  return JSON.parse(stdout) as HealthAnswer;
}

/** The local endpoint count a health answer reports, or undefined when the body is not upstream's JSON. */
export function localEndpointsOf(answer: HealthAnswer): number | undefined {
  try {
    const body = JSON.parse(answer.body ?? '') as { localEndpoints?: unknown };
    return typeof body.localEndpoints === 'number' ? body.localEndpoints : undefined;
  } catch {
    return undefined;
  }
}
