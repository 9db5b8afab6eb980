#!/usr/bin/env node
// Stand-in pods for the example cluster: for every endpoint address:port in the EndpointSlices under a
// directory, listen on exactly that address. TCP ports answer HTTP with who answered and who asked (so
// load balancing and session affinity are visible with curl); UDP ports echo the payload back with the
// endpoint's name. The example addresses are in 127.0.0.0/8, which Linux routes to loopback, so no root
// and no network setup are needed.
//
//   node examples/backends.mjs [directory]      (default: the cluster directory next to this file)

import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
import { readdir, readFile } from 'node:fs/promises';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isIPv6 } from 'node:net';
import { parseAllDocuments } from 'yaml';

const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'cluster');

function hostPort(ip, port) {
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Every EndpointSlice in the manifests of `dir`, including those inside Lists. */
async function readEndpointSlices(dir) {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.') && ['.yaml', '.yml', '.json'].includes(extname(n)));
  const slices = [];
  const collect = (obj) => {
    if (!obj || typeof obj !== 'object') return;
    if (Array.isArray(obj.items)) obj.items.forEach(collect);
    else if (obj.kind === 'EndpointSlice') slices.push(obj);
  };
  for (const name of names.sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, name), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${join(dir, name)}: ${doc.errors[0].message}`);
      collect(doc.toJS());
    }
  }
  return slices;
}

/** The distinct protocol/address/port triples to listen on; slices of two services may share pods. */
function listenTargets(slices) {
  const targets = new Map();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      for (const ip of ep.addresses ?? []) {
        for (const p of slice.ports ?? []) {
          if (typeof p.port !== 'number') continue;
          const protocol = p.protocol ?? 'TCP';
          if (protocol !== 'TCP' && protocol !== 'UDP') continue; // SCTP: nothing in Node to answer with
          targets.set(`${protocol} ${hostPort(ip, p.port)}`, { protocol, ip, port: p.port });
        }
      }
    }
  }
  return [...targets.values()];
}

function startTCP({ ip, port }) {
  const me = hostPort(ip, port);
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`hello from ${me}, you are ${hostPort(req.socket.remoteAddress, req.socket.remotePort)}\n`);
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolveStart({
        address: `tcp ${me}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function startUDP({ ip, port }) {
  const me = hostPort(ip, port);
  const socket = createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    socket.send(`${me} got: ${msg.toString()}`, rinfo.port, rinfo.address);
  });
  return new Promise((resolveStart, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => {
      socket.off('error', reject);
      resolveStart({ address: `udp ${me}`, close: () => new Promise((done) => socket.close(() => done())) });
    });
  });
}

/**
 * Starts one server per endpoint of the EndpointSlices under `dir`. If any address cannot be bound the
 * servers already started are closed again and the error is thrown.
 * @returns {Promise<{ close(): Promise<void>; addresses: string[] }>} addresses like "tcp 127.0.20.1:8080"
 */
export async function startBackends(dir = DEFAULT_DIR) {
  const targets = listenTargets(await readEndpointSlices(dir));
  const started = [];
  const closeAll = async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  };
  try {
    for (const t of targets) started.push(await (t.protocol === 'TCP' ? startTCP(t) : startUDP(t)));
  } catch (e) {
    await closeAll();
    throw e;
  }
  return { addresses: started.map((s) => s.address), close: closeAll };
}

async function main() {
  const dir = process.argv[2] ?? DEFAULT_DIR;
  const backends = await startBackends(dir);
  for (const a of backends.addresses) console.log(`listening on ${a}`);
  if (backends.addresses.length === 0) console.log(`no endpoints found in ${dir}`);
  const shutdown = async (signal) => {
    console.log(`${signal}: closing ${backends.addresses.length} listeners`);
    await backends.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`backends: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
