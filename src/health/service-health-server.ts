// Health checks for LoadBalancer Services with externalTrafficPolicy Local (upstream's
// pkg/proxy/healthcheck/service_health.go): one HTTP server per Service on its healthCheckNodePort, so the
// cloud load balancer sends traffic only to nodes that have a ready endpoint of it. Mode-agnostic: it is
// driven by the same Snapshot every mode renders from.

import { createServer, type Server } from 'node:http';
import type { Snapshot } from '../model/types.js';
import type { Logger } from '../observability/logger.js';

export interface ServiceHealthServerOptions {
  /** Addresses to listen on; default: every address (the wildcard, both families where available). */
  readonly bindAddresses?: readonly string[];
  /** kube-proxy's own health (what /healthz reports): a healthy proxy is required for a 200. */
  readonly isProxyHealthy: () => boolean;
  readonly logger?: Logger;
}

interface HealthCheckedService {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly servers: Server[];
  localEndpoints: number;
}

/** "namespace/name" -> healthCheckNodePort and the number of distinct ready local endpoint IPs. */
export function healthCheckTargets(snapshot: Snapshot): Map<string, { port: number; localEndpoints: number }> {
  const out = new Map<string, { port: number; ips: Set<string> }>();
  for (const family of ['IPv4', 'IPv6'] as const) {
    for (const sp of snapshot.families[family].servicePorts.values()) {
      if (sp.healthCheckNodePort === 0) continue;
      const key = `${sp.namespace}/${sp.name}`;
      let entry = out.get(key);
      if (!entry) out.set(key, (entry = { port: sp.healthCheckNodePort, ips: new Set() }));
      // Only ready endpoints count: a node with only terminating ones should be taken out of rotation.
      for (const ep of sp.endpoints) if (ep.isLocal && ep.ready) entry.ips.add(ep.ip);
    }
  }
  return new Map([...out].map(([k, v]) => [k, { port: v.port, localEndpoints: v.ips.size }]));
}

export class ServiceHealthServer {
  private readonly services = new Map<string, HealthCheckedService>();

  constructor(private readonly opts: ServiceHealthServerOptions) {}

  /** Open servers for new health-checked Services, close those gone or moved, update endpoint counts. */
  async sync(snapshot: Snapshot): Promise<void> {
    const targets = healthCheckTargets(snapshot);
    for (const [key, svc] of this.services) {
      const t = targets.get(key);
      if (!t || t.port !== svc.port) {
        this.opts.logger?.v(2).info('Closing healthcheck', { service: key, port: svc.port });
        this.services.delete(key);
        await closeAll(svc.servers);
      }
    }
    for (const [key, t] of targets) {
      const existing = this.services.get(key);
      if (existing) {
        existing.localEndpoints = t.localEndpoints;
        continue;
      }
      const [namespace = '', name = ''] = key.split('/');
      const svc: HealthCheckedService = { namespace, name, port: t.port, servers: [], localEndpoints: t.localEndpoints };
      this.opts.logger?.v(2).info('Opening healthcheck', { service: key, port: t.port });
      try {
        for (const address of this.opts.bindAddresses ?? ['']) svc.servers.push(await this.listen(svc, address));
        this.services.set(key, svc);
      } catch (err) {
        await closeAll(svc.servers);
        this.opts.logger?.error('Failed to start healthcheck', { err: (err as Error).message, service: key, port: t.port });
      }
    }
  }

  /** The port and local endpoint count served for "namespace/name" (for tests and `explain`). */
  served(key: string): { port: number; localEndpoints: number } | undefined {
    const s = this.services.get(key);
    return s && { port: s.port, localEndpoints: s.localEndpoints };
  }

  async close(): Promise<void> {
    const all = [...this.services.values()];
    this.services.clear();
    for (const s of all) await closeAll(s.servers);
  }

  private listen(svc: HealthCheckedService, address: string): Promise<Server> {
    const server = createServer((req, res) => {
      const count = svc.localEndpoints;
      const healthy = this.opts.isProxyHealthy();
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('X-Load-Balancing-Endpoint-Weight', String(count));
      res.statusCode = count !== 0 && healthy ? 200 : 503;
      res.end(payload(svc.namespace, svc.name, count, healthy));
      req.resume();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const done = (): void => {
        server.off('error', reject);
        resolve(server);
      };
      if (address) server.listen(svc.port, address, done);
      else server.listen(svc.port, done);
    });
  }
}

/** Upstream's body, byte for byte (tab-indented, no trailing newline). */
function payload(namespace: string, name: string, count: number, healthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(namespace)},`,
    `\t\t"name": ${JSON.stringify(name)}`,
    '\t},',
    `\t"localEndpoints": ${count},`,
    `\t"serviceProxyHealthy": ${healthy}`,
    '}',
  ].join('\n');
}

function closeAll(servers: readonly Server[]): Promise<void> {
  return Promise.all(
    servers.map((s) => new Promise<void>((resolve) => {
      s.closeAllConnections?.();
      s.close(() => resolve());
    })),
  ).then(() => undefined);
}
