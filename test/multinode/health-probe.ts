// Runs inside a lab namespace as `node health-probe.js URL` and prints what a load balancer's health check
// would see, as one JSON line: {"status": N, "body": "..."} or {"error": "ECONNREFUSED"} (or "timeout").

import { get } from 'node:http';

function main(): void {
  const url = process.argv[2] ?? '';
  const print = (result: object) => process.stdout.write(`${JSON.stringify(result)}\n`);
  const req = get(url, { timeout: 2000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (body += c));
    res.on('end', () => print({ status: res.statusCode, body }));
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'timeout' })));
  req.on('error', (err: NodeJS.ErrnoException) => print({ error: err.code ?? err.message }));
}

main();
