// Prints an ExplainReport: as text for a person (short sections, the decision first, reasons beside each
// endpoint) or as JSON for scripts (the report value itself, with a format version to key on).

import { hostPort } from '../model/host-port.js';
import type { ExplainReport } from './explain-connection.js';
import type { LiveFinding } from './live-finding.js';

/** Bumped when a field of the JSON output changes meaning or goes away. */
export const EXPLAIN_JSON_VERSION = 1;

export function explainJSON(report: ExplainReport): string {
  return `${JSON.stringify({ version: EXPLAIN_JSON_VERSION, ...report }, null, 2)}\n`;
}

export function explainText(r: ExplainReport): string {
  const c = r.connection;
  const lines: string[] = [];
  const via = c.via ? ` via node address ${c.via}` : '';
  lines.push(`connection: ${c.protocol} ${c.source} -> ${hostPort(c.destination, c.port)} (from ${originText(c.origin)}${via}), mode ${r.mode}`);
  if (c.sourceNote) lines.push(`  source: ${c.sourceNote}`);
  if (r.match) {
    lines.push(`service:    ${r.match.servicePort} (type ${r.match.serviceType}), matched as ${r.match.how}`);
    lines.push(`policy:     ${r.match.policy} (${r.match.kind === 'ClusterIP' ? 'internalTrafficPolicy' : 'externalTrafficPolicy'})`);
    if (r.match.policyNote) lines.push(`  ${r.match.policyNote}`);
  } else {
    lines.push(`service:    none matches`);
    lines.push(`  ${r.noMatch}`);
  }
  for (const rej of r.rejected) {
    lines.push(`rejected:   Service ${rej.service} claims this destination but the model rejected it:`);
    for (const e of rej.errors) lines.push(`  ${e}`);
  }
  if (r.match) {
    lines.push(`endpoints:  ${r.endpoints.length === 0 ? 'none (no EndpointSlice lists an endpoint for this port)' : ''}`.trimEnd());
    for (const e of r.endpoints) {
      const state = [e.ready ? 'ready' : 'not-ready', e.serving ? 'serving' : 'not-serving', ...(e.terminating ? ['terminating'] : []), e.local ? 'local' : `node=${e.node ?? '?'}`].join(',');
      lines.push(`  ${e.used ? 'used    ' : 'not used'} ${e.address.padEnd(22)} ${state}${e.reason ? `: ${e.reason}` : ''}`);
    }
  }
  lines.push(`expected:   ${r.expected.outcome}: ${r.expected.why}`);
  if (r.scheduler) {
    lines.push(`scheduler:  ${r.scheduler.name} (${r.scheduler.description}), session affinity ${r.scheduler.affinity}`);
    lines.push(`  pick: ${r.scheduler.pick}`);
  }
  lines.push(...traceLines(r));
  if (r.live) {
    lines.push(`live:       ${r.live.every((f) => f.state === 'present') ? 'every traced rule is in the kernel' : 'the kernel disagrees with the program'}`);
    for (const f of r.live) lines.push(`  ${liveState(f)} ${f.where}: ${f.rule}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A found step with its counters ("present" when the kernel counts nothing there), or what is wrong. */
function liveState(f: LiveFinding): string {
  if (f.state !== 'present') return `${f.state.toUpperCase()}:`;
  return f.packets === undefined ? '[present, not counted]' : `[${f.packets} packets, ${f.bytes} bytes]`;
}

function traceLines(r: ExplainReport): string[] {
  const t = r.trace;
  if (t.status !== 'traced') return [`trace:      ${t.status === 'no-tracer' ? t.message : `the ${r.mode} tracer cannot follow this program: ${t.message}`}`];
  const v = t.verdict;
  const lines = [
    `trace:      ${v.outcome}${v.endpoints.length > 0 ? ` to ${v.endpoints.join(', ')}` : ''}; source ${v.masqueraded ? 'masqueraded to a node address' : 'kept'}${v.sticky ? '; sticky per source' : ''}`,
  ];
  for (const s of v.steps) lines.push(`  ${s.where}: ${s.rule}`);
  if (v.outcome !== r.expected.outcome && r.match) lines.push(`  note: the program's outcome (${v.outcome}) differs from what the selection rules expect (${r.expected.outcome})`);
  return lines;
}

function originText(origin: string): string {
  return origin === 'pod' ? 'a pod on this node' : origin === 'node' ? 'the node itself' : 'outside the node';
}
