// The logging flags kube-proxy gets from component-base (logsapi.AddFlags), which take priority over a
// config file's logging section, and kproxy's own flags, which upstream does not have.

import {
  boolValue, durationValue, FlagValueError, oneOf, type FlagDef,
} from './flag-model.js';
import type { VModuleItem } from './types.js';

const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;

function verbosityValue(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 2 ** 32 - 1) throw new FlagValueError('must be a non-negative integer');
  return Number(raw);
}

/** "pattern=N,pattern2=M" -> items. */
export function vmoduleValue(raw: string): VModuleItem[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const eq = part.lastIndexOf('=');
    const pattern = part.slice(0, eq).trim();
    const level = part.slice(eq + 1).trim();
    if (eq <= 0 || pattern === '' || !/^\d+$/.test(level)) {
      throw new FlagValueError(`entry ${JSON.stringify(part)} must be pattern=N with N a non-negative integer`);
    }
    return { filePattern: pattern, verbosity: Number(level) };
  });
}

function quantityValue(raw: string): string {
  if (!QUANTITY.test(raw)) throw new FlagValueError('must be a quantity such as 0, 512, 1K or 2Mi');
  return raw;
}

const ALPHA = 'Enable the LoggingAlphaOptions feature gate to use this.';

/** The split-stream and info-buffer flags, alike for the text and the JSON format. */
function splitStreamFlags(format: 'text' | 'json', label: string): FlagDef[] {
  return [
    { name: `log-${format}-split-stream`, type: 'bool', logging: true, fields: [`logging.options.${format}.splitStream`],
      help: `[Alpha] In ${label} format, write error messages to stderr and info messages to stdout. The default is to write a single stream to stdout. ${ALPHA}`,
      apply: (s, raw) => { s.config.logging.options[format].splitStream = boolValue(raw); } },
    { name: `log-${format}-info-buffer-size`, type: 'quantity', logging: true, fields: [`logging.options.${format}.infoBufferSize`],
      help: `[Alpha] In ${label} format with split output streams, the info messages can be buffered for a while to increase performance. The default value of zero bytes disables buffering. ${ALPHA}`,
      apply: (s, raw) => { s.config.logging.options[format].infoBufferSize = quantityValue(raw); } },
  ];
}

export const LOGGING_FLAGS: readonly FlagDef[] = [
  { name: 'logging-format', type: 'string', defaultText: '"text"', logging: true, fields: ['logging.format'],
    help: 'Sets the log format. Permitted formats: "json", "text".',
    apply: (s, raw) => { s.config.logging.format = raw; } },
  { name: 'v', shorthand: 'v', type: 'level', valueName: 'Level', logging: true, fields: ['logging.verbosity'],
    help: 'number for the log level verbosity', apply: (s, raw) => { s.config.logging.verbosity = verbosityValue(raw); } },
  { name: 'vmodule', type: 'pattern', valueName: 'pattern=N,...', logging: true, fields: ['logging.vmodule'],
    help: 'comma-separated list of pattern=N settings for file-filtered logging (only works for text log format)',
    apply: (s, raw) => { s.config.logging.vmodule = [...(s.config.logging.vmodule ?? []), ...vmoduleValue(raw)]; } },
  { name: 'log-flush-frequency', type: 'duration', defaultText: '5s', logging: true, fields: ['logging.flushFrequency'],
    help: 'Maximum number of seconds between log flushes', apply: (s, raw) => { s.config.logging.flushFrequency = durationValue(raw); } },
  ...splitStreamFlags('text', 'text'),
  ...splitStreamFlags('json', 'JSON'),
];

export const KPROXY_FLAGS: readonly FlagDef[] = [
  { name: 'from', type: 'string', valueName: 'PATH', kproxy: true,
    help: 'Read Services and EndpointSlices from this manifests file or directory (YAML or JSON) instead of an API server. Repeatable.',
    apply: (s, raw) => {
      if (raw === '') throw new FlagValueError('must be a file or directory path');
      s.kproxy.from.push(raw);
    } },
  { name: 'userspace-portals', type: 'string', valueName: 'iptables|none', kproxy: true,
    help: 'How the userspace mode steers traffic for cluster IPs to its listeners: "iptables" installs redirect rules, "none" only listens. Unset: iptables when running as root, else none.',
    apply: (s, raw) => { s.kproxy.userspacePortals = oneOf(raw, ['iptables', 'none'] as const); } },
  { name: 'service-proxy-name', type: 'string', kproxy: true,
    help: 'Serve only Services labelled service.kubernetes.io/service-proxy-name=NAME. Empty (the default) serves only Services without that label, as kube-proxy does.',
    apply: (s, raw) => { s.kproxy.serviceProxyName = raw; } },
  { name: 'iptables-backend', type: 'string', valueName: 'auto|nft|legacy', defaultText: '"auto"', kproxy: true,
    help: 'Which iptables variant the iptables mode drives: "nft" (iptables-nft), "legacy" (iptables-legacy), or "auto" to detect the one the system already uses.',
    apply: (s, raw) => { s.kproxy.iptablesBackend = oneOf(raw, ['auto', 'nft', 'legacy'] as const); } },
];
