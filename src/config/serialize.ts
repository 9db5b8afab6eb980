// Writes a configuration as upstream's --write-config-to does: a YAML KubeProxyConfiguration with
// apiVersion and kind, keys in alphabetical order, every field present (empty lists as null), and
// omitempty fields (featureGates, windowsRunAsService, logging's vmodule/splitStream) left out when empty.

import { stringify } from 'yaml';
import { API_VERSION, KIND, type KubeProxyConfiguration, type OutputRoutingOptions } from './types.js';

function routing(o: OutputRoutingOptions): Record<string, unknown> {
  return o.splitStream ? { infoBufferSize: o.infoBufferSize, splitStream: true } : { infoBufferSize: o.infoBufferSize };
}

const listOrNull = (values: readonly string[]) => (values.length > 0 ? [...values] : null);

/** The configuration as the plain object upstream would encode (before key sorting). */
export function toDocument(c: KubeProxyConfiguration): Record<string, unknown> {
  const { logging: l } = c;
  const doc: Record<string, unknown> = {
    apiVersion: API_VERSION,
    kind: KIND,
    ...c,
    logging: {
      ...(l.format ? { format: l.format } : {}),
      flushFrequency: l.flushFrequency,
      verbosity: l.verbosity,
      ...(l.vmodule && l.vmodule.length > 0 ? { vmodule: l.vmodule.map((v) => ({ ...v })) } : {}),
      options: { text: routing(l.options.text), json: routing(l.options.json) },
    },
    ipvs: { ...c.ipvs, excludeCIDRs: listOrNull(c.ipvs.excludeCIDRs) },
    nodePortAddresses: listOrNull(c.nodePortAddresses),
  };
  if (Object.keys(c.featureGates).length === 0) delete doc.featureGates;
  if (!c.windowsRunAsService) delete doc.windowsRunAsService;
  return doc;
}

/** YAML for --write-config-to; loadConfiguration reads it back to an equal configuration. */
export function serializeConfiguration(c: KubeProxyConfiguration): string {
  return stringify(toDocument(c), { sortMapEntries: true, lineWidth: 0 });
}
