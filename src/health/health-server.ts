// The --healthz-bind-address server: /healthz and /livez with kube-proxy's JSON bodies, status codes and
// headers, counting kubeproxy_proxy_healthz_total / kubeproxy_proxy_livez_total by code.

import type { ServerResponse } from 'node:http';
import { listenHttp, requestPath, type RunningServer } from '../observability/http-listen.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import type { HealthResult, ProxyHealth } from './proxy-health.js';

export function startHealthServer(addr: string, health: ProxyHealth, metrics: ProxyMetrics, logger: Logger): Promise<RunningServer> {
  const reply = (res: ServerResponse, result: HealthResult, counter: ProxyMetrics['proxyHealthzTotal']): void => {
    const code = result.healthy ? 200 : 503;
    counter.labels({ code: String(code) }).inc();
    res.writeHead(code, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
    res.end(JSON.stringify(result.body));
  };
  const server = listenHttp('--healthz-bind-address', addr, (req, res) => {
    switch (requestPath(req)) {
      case '/healthz':
        return reply(res, health.health(), metrics.proxyHealthzTotal);
      case '/livez':
        return reply(res, health.live(), metrics.proxyLivezTotal);
      default:
        notFound(res);
    }
  });
  return server.then((running) => {
    logger.v(3).info('Starting healthz HTTP server', { address: addr });
    return running;
  });
}

/** Go's http.NotFound, which both kube-proxy servers answer for unknown paths. */
export function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}
