// The --metrics-bind-address server, with kube-proxy's endpoints: /metrics (text exposition), /proxyMode
// (the mode as plain text), /healthz and /healthz/ping ("ok") and /configz (the running configuration
// under its API group, as component-base's configz writes it), plus kproxy's own /status (what
// `kproxy status` reads from a running proxy: the service ports in force and the input errors, as JSON).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { notFound } from '../health/health-server.js';
import { listenHttp, requestPath, type RunningServer } from './http-listen.js';
import type { Logger } from './logger.js';

/** The group kube-proxy registers its configuration under in /configz. */
export const CONFIGZ_GROUP = 'kubeproxy.config.k8s.io';

export interface MetricsServerOptions {
  metrics: { render(): Promise<string>; readonly contentType: string };
  mode: string;
  /** The running KubeProxyConfiguration, read on each request. */
  configz: () => unknown;
  /** The status document (src/explain/status-lines.ts), read on each request; /status is 404 without it. */
  status?: () => unknown;
  logger?: Logger;
}

const PLAIN = 'text/plain; charset=utf-8';

function send(res: ServerResponse, contentType: string, body: string): void {
  res.writeHead(200, { 'Content-Type': contentType, 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

export async function startMetricsServer(addr: string, opts: MetricsServerOptions): Promise<RunningServer> {
  // A failing render must not take the process down; the scrape fails visibly instead.
  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    opts.logger?.error('Metrics server request failed', { err, path: requestPath(req) });
    res.writeHead(500, { 'Content-Type': PLAIN });
    res.end(`${err instanceof Error ? err.message : String(err)}\n`);
  };
  const running = await listenHttp('--metrics-bind-address', addr, (req, res) => {
    try {
      switch (requestPath(req)) {
        case '/metrics':
          return void opts.metrics.render().then((text) => send(res, opts.metrics.contentType, text), (err: unknown) => fail(req, res, err));
        case '/proxyMode':
          return send(res, PLAIN, opts.mode);
        case '/healthz':
        case '/healthz/ping':
          return send(res, PLAIN, 'ok');
        case '/configz':
          return send(res, 'application/json', JSON.stringify({ [CONFIGZ_GROUP]: opts.configz() }));
        case '/status':
          return opts.status ? send(res, 'application/json', JSON.stringify(opts.status())) : notFound(res);
        default:
          return notFound(res);
      }
    } catch (err) {
      fail(req, res, err);
    }
  });
  opts.logger?.v(3).info('Starting metrics server', { address: addr });
  return running;
}
