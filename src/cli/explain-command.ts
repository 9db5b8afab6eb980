// `kproxy explain --to IP:PORT[/PROTO]`: what this node does with one connection, and why. It loads the
// state once as `render` does, renders the mode's program, and hands everything to explainConnection
// (src/explain/); this file only gathers inputs from the flags and prints the report.

import type { LoadedConfiguration } from '../config/load.js';
import { localAddresses, localAddressesOf, resolveNodePortAddresses, type InterfaceAddress } from '../host/node-addresses.js';
import type { CommandFlags } from '../explain/command-flags.js';
import { ConnectionError, familyOf, parseDestination, parseIP } from '../explain/connection-parse.js';
import { chooseSource } from '../explain/connection-origin.js';
import { explainConnection } from '../explain/explain-connection.js';
import { explainJSON, explainText } from '../explain/explain-report.js';
import type { LiveFinding } from '../explain/live-finding.js';
import { compareWithKernel, parseCountedSave, readKernelRules } from '../explain/live-iptables.js';
import { compareWithNftKernel, parseNftListing, readKernelTable } from '../explain/live-nftables.js';
import type { TraceStep } from '../explain/trace.js';
import type { IPFamily } from '../model/types.js';
import type { NodeAddressing } from '../explain/service-match.js';
import { tracerFor } from '../explain/tracers.js';
import { loadStateOnce } from './load-once.js';
import { renderModel } from './render-program.js';
import { isRoot, loggerFor, resolveHostname, resolveMode } from './runtime.js';
import type { ProxyMode } from '../dataplane/types.js';

export async function runExplain(loaded: LoadedConfiguration, flags: CommandFlags): Promise<number> {
  const fail = (message: string): number => {
    process.stderr.write(`kproxy explain: ${message}\n`);
    return 1;
  };
  const mode = resolveMode(loaded);
  let destination, via: string | undefined, givenSource: string | undefined;
  try {
    if (flags.to === undefined) throw new ConnectionError('--to IP:PORT[/TCP|UDP|SCTP] is required (the connection to explain)');
    destination = parseDestination(flags.to);
    via = flags.via === undefined ? undefined : parseIP('--via', flags.via);
    givenSource = flags.source === undefined ? undefined : parseIP('--source', flags.source);
    for (const [flag, ip] of [['--source', givenSource], ['--via', via]] as const) {
      if (ip !== undefined && familyOf(ip) !== familyOf(destination.ip)) throw new ConnectionError(`${flag} ${ip} is ${familyOf(ip)} but --to ${destination.ip} is ${familyOf(destination.ip)}; a connection has one family`);
    }
  } catch (err) {
    if (err instanceof ConnectionError) return fail(err.message);
    throw err;
  }
  if (flags.live && !LIVE_MODES.includes(mode)) return fail(`--live is not supported yet for mode ${mode} (only ${LIVE_MODES.join(' and ')}); run without --live for the program's answer`);
  if (flags.live && !isRoot()) return fail('--live reads the kernel\'s rules and needs root');

  const logger = loggerFor(loaded);
  const hostname = resolveHostname(loaded);
  let state;
  try {
    state = await loadStateOnce(loaded, hostname, logger);
  } catch (err) {
    return fail((err as Error).message);
  }
  const { model, recorded } = state;
  // --via names an address of the node explained; the program is rendered as if this machine held it too.
  const interfaceAddresses = via ? [...localAddresses().map((a) => ({ address: a.address, interface: '' })), { address: via, interface: '' }] : undefined;
  const { snapshot, program, nodeIPs } = renderModel(loaded, model, { logger, ...(interfaceAddresses ? { interfaceAddresses } : {}) });
  const nodeAddresses = [...new Set([...nodeIPs, ...model.node().addresses, ...(via ? [via] : []), '127.0.0.1', '::1'])];
  const chosen = chooseSource(givenSource, via, familyOf(destination.ip), snapshot.node, loaded.config.clusterCIDR, nodeAddresses);
  const report = explainConnection({
    mode,
    snapshot,
    destination,
    source: chosen.source,
    ...(chosen.note ? { sourceNote: chosen.note } : {}),
    origin: chosen.origin,
    ...(via ? { via } : {}),
    detectsLocalPods: detectsLocalPods(loaded),
    node: nodeAddressing(mode, loaded, nodeIPs, nodeAddresses, interfaceAddresses),
    errors: model.errors(),
    rawServices: recorded.services(),
    slicesOf: (ns, name) => recorded.slicesOf(ns, name),
    program,
    tracer: tracerFor(mode),
  });
  let full = report;
  if (flags.live) {
    if (report.trace.status !== 'traced') return fail(`--live compares the traced rules with the kernel, and there is no trace: ${report.trace.message}`);
    try {
      full = { ...report, live: await liveFindings(mode, loaded, familyOf(destination.ip), report.trace.verdict.steps) };
    } catch (err) {
      return fail(`--live: cannot read the kernel's rules: ${(err as Error).message}`);
    }
  }
  process.stdout.write(flags.output === 'json' ? explainJSON(full) : explainText(full));
  return 0;
}

/** Modes whose kernel objects --live can read and compare with the trace. */
const LIVE_MODES: readonly ProxyMode[] = ['iptables', 'nftables'];

/** The traced steps against the kernel now: iptables rules with `iptables-save -c`, nft objects with `nft list table`. */
async function liveFindings(mode: ProxyMode, loaded: LoadedConfiguration, family: IPFamily, steps: readonly TraceStep[]): Promise<LiveFinding[]> {
  if (mode === 'nftables') return compareWithNftKernel(steps, parseNftListing(await readKernelTable(family)));
  return compareWithKernel(steps, parseCountedSave(await readKernelRules(family, loaded.kproxy.iptablesBackend)));
}

/** The NodePort addresses each mode's factory derives from --nodeport-addresses (nftables: primary by default). */
function nodeAddressing(
  mode: ProxyMode,
  loaded: LoadedConfiguration,
  nodeIPs: readonly string[],
  nodeAddresses: readonly string[],
  interfaceAddresses: readonly InterfaceAddress[] | undefined,
): NodeAddressing {
  const { config } = loaded;
  const spec = config.nodePortAddresses.length === 0 && mode === 'nftables' ? ['primary'] : config.nodePortAddresses;
  const resolved = resolveNodePortAddresses(spec, nodeIPs, localAddressesOf(interfaceAddresses));
  const loopbackAllowed = spec.length === 0 || resolved.includes('127.0.0.1');
  return {
    localAddresses: nodeAddresses,
    nodePortAddresses: spec.length === 0 ? 'all' : resolved,
    localhostNodePorts: (mode === 'iptables' && config.iptables.localhostNodePorts && loopbackAllowed) || (mode === 'userspace' && spec.length === 0),
  };
}

/** Whether the kernel modes can tell this node's pods' traffic apart (what upstream's local detector needs). */
function detectsLocalPods(loaded: LoadedConfiguration): boolean {
  const { detectLocalMode, clusterCIDR } = loaded.config;
  return detectLocalMode === '' || detectLocalMode === 'ClusterCIDR' ? clusterCIDR !== '' : true;
}
