// kproxy on one node of the cluster lab: the real CLI in iptables mode, run inside the node's namespace
// against the shared test API server through a kubeconfig, exactly as a DaemonSet pod would run it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kproxyCliPath } from '../flow/mode-adapter.js';
import { stopChild } from '../../src/lab/node-lab.js';
import { POD_RANGE, type ClusterLab, type NodeName } from './topology.js';

const METRICS_ADDRESS = '127.0.0.1:10249';
const HEALTHZ_ADDRESS = '0.0.0.0:10256';
const LOG_LIMIT = 128 * 1024;

export interface NodeProxy {
  readonly node: NodeName;
  /** Resolve once a sync that started after `since` (epoch ms) completed with nothing queued behind it. */
  waitForSync(since: number): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

/** A kubeconfig naming `server`, written into `dir`; returns its path. */
export function writeKubeconfig(dir: string, server: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'lab',
    contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'kproxy' } }],
    clusters: [{ name: 'lab', cluster: { server } }],
    users: [{ name: 'kproxy', user: {} }],
  }));
  return path;
}

export function startNodeProxy(lab: ClusterLab, node: NodeName, kubeconfig: string): NodeProxy {
  const args = [
    kproxyCliPath(),
    '--proxy-mode=iptables',
    '--kubeconfig', kubeconfig,
    '--hostname-override', node,
    `--healthz-bind-address=${HEALTHZ_ADDRESS}`,
    `--metrics-bind-address=${METRICS_ADDRESS}`,
    `--cluster-cidr=${POD_RANGE}`,
  ];
  const child = lab.spawn(node, process.execPath, args);
  let output = `$ ${[process.execPath, ...args].join(' ')}\n`;
  const capture = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > LOG_LIMIT) output = `[...]\n${output.slice(-LOG_LIMIT)}`;
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`kproxy on ${node} exited (${signal ?? code})`)));
  return {
    node,
    waitForSync: (since) => waitForSync(lab, node, since, exited),
    stop: () => stopChild(child),
    logs: () => output,
  };
}

async function waitForSync(lab: ClusterLab, node: NodeName, since: number, exited: Promise<string>): Promise<void> {
  const waiter = fileURLToPath(new URL('../flow/sync-waiter.js', import.meta.url));
  const child = lab.spawn(node, process.execPath, [waiter, '--url', `http://${METRICS_ADDRESS}/metrics`, '--since-ms', String(since)]);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const waited = new Promise<string>((resolve) =>
    child.once('close', (code) => resolve(code === 0 ? '' : `${node}: ${stderr.trim() || `sync-waiter exited ${code}`}`)),
  );
  try {
    const outcome = await Promise.race([waited, exited.then((why) => `${why} before completing a sync`)]);
    if (outcome !== '') throw new Error(outcome);
  } finally {
    await stopChild(child, 1000);
  }
}
