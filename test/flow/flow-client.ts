// One client: run inside a lab namespace as
//   node flow-client.js --proto tcp|udp --to IP:PORT [--from-ip IP] [--source-port N] [--timeout-ms N] [--count N] [--gap-ms N]
// and print the result as JSON: one object for a single flow, a list with --count (flows run one after
// another, --gap-ms apart, each from a fresh ephemeral source port unless --source-port fixes it). A flow is 'answered'
// (the backend's line came back), 'rejected' (TCP RST or ICMP unreachable; a connected UDP socket surfaces
// ICMP port unreachable as ECONNREFUSED; a TCP connection closed without an answer is EOF) or 'dropped'
// (nothing within the timeout).

import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { joinHostPort, splitHostPort, type BackendAnswer, type FlowResult, type HostPort } from '../../src/lab/flow-wire.js';

interface FlowSpec {
  proto: 'tcp' | 'udp';
  to: HostPort;
  fromIP: string | undefined;
  sourcePort: number | undefined;
  timeoutMs: number;
}

function answered(line: string, local: string): FlowResult {
  const reply = JSON.parse(line) as BackendAnswer;
  return { outcome: 'answered', endpoint: reply.endpoint, source: reply.source, local };
}

function tcpFlow(spec: FlowSpec): Promise<FlowResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: spec.to.ip, port: spec.to.port, localAddress: spec.fromIP, localPort: spec.sourcePort });
    let received = '';
    const finish = (result: FlowResult) => {
      clearTimeout(timer);
      // A fixed source port is reused by the next flow: close with a reset so this side keeps no
      // TIME_WAIT for the 4-tuple (the next connect would fail with EADDRNOTAVAIL).
      if (spec.sourcePort !== undefined && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ outcome: 'dropped' }), spec.timeoutMs);
    socket.on('connect', () => socket.write('hello\n'));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      const end = received.indexOf('\n');
      if (end >= 0) finish(answered(received.slice(0, end), joinHostPort(socket.localAddress ?? '?', socket.localPort ?? 0)));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: 'rejected', detail: err.code ?? err.message }));
    socket.on('end', () => finish({ outcome: 'rejected', detail: 'EOF' }));
  });
}

function udpFlow(spec: FlowSpec): Promise<FlowResult> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(spec.to.ip) === 6 ? 'udp6' : 'udp4');
    const finish = (result: FlowResult) => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ outcome: 'dropped' }), spec.timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: 'rejected', detail: err.code ?? err.message }));
    socket.on('message', (msg) => {
      const local = socket.address();
      finish(answered(msg.toString().split('\n')[0] ?? '', joinHostPort(local.address, local.port)));
    });
    // connect() makes the kernel report ICMP errors for this peer back to the socket.
    socket.bind({ address: spec.fromIP, port: spec.sourcePort ?? 0 }, () =>
      socket.connect(spec.to.port, spec.to.ip, () => socket.send('hello\n')),
    );
  });
}

function positiveInt(name: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer: received ${JSON.stringify(text)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      proto: { type: 'string' },
      to: { type: 'string' },
      'from-ip': { type: 'string' },
      'source-port': { type: 'string' },
      'timeout-ms': { type: 'string' },
      count: { type: 'string' },
      'gap-ms': { type: 'string' },
    },
  });
  if (values.proto !== 'tcp' && values.proto !== 'udp') throw new Error(`--proto must be tcp or udp: received ${values.proto}`);
  const fromIP = values['from-ip'];
  if (fromIP !== undefined && isIP(fromIP) === 0) throw new Error(`--from-ip must be an IP address: received ${fromIP}`);
  const spec: FlowSpec = {
    proto: values.proto,
    to: splitHostPort(values.to ?? '', '--to'),
    fromIP,
    sourcePort: positiveInt('source-port', values['source-port'], undefined),
    timeoutMs: positiveInt('timeout-ms', values['timeout-ms'], 1500) ?? 1500,
  };
  const count = positiveInt('count', values.count, undefined);
  const gapMs = positiveInt('gap-ms', values['gap-ms'], undefined);
  const results: FlowResult[] = [];
  for (let i = 0; i < (count ?? 1); i++) {
    if (i > 0 && gapMs) await new Promise((r) => setTimeout(r, gapMs));
    results.push(await (spec.proto === 'tcp' ? tcpFlow(spec) : udpFlow(spec)));
  }
  process.stdout.write(`${JSON.stringify(count === undefined ? results[0] : results)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`flow-client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
