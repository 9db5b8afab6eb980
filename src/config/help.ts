// `kproxy --help`: usage, subcommands, and every flag with its default and meaning, grouped as the
// flag tables are, kproxy's own additions marked, and the removed flags listed with their replacements.

import { featureGateHelpLines } from './feature-gates.js';
import type { FlagDef } from './flag-model.js';
import { KPROXY_FLAGS, LOGGING_FLAGS } from './flags-extra.js';
import { CLIENT_FLAGS, CONNTRACK_FLAGS, MODE_FLAGS, PROGRAM_FLAGS, SERVER_FLAGS, TRAFFIC_FLAGS } from './flags-kube.js';
import { REMOVED_FLAGS } from './removed-flags.js';

const WIDTH = 100;
const INDENT = '        ';

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
        lines.push(indent + line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(indent + line);
  }
  return lines;
}

const VALUE_NAMES: Partial<Record<FlagDef['type'], string>> = {
  string: 'string', int32: 'int32', float: 'float', duration: 'duration', strings: 'strings', ip: 'string', ipport: 'ipport',
  quantity: 'quantity', level: 'Level',
};

function flagHeader(def: FlagDef): string {
  const names = def.shorthand ? `-${def.shorthand}, --${def.name}` : `    --${def.name}`;
  const value = def.valueName ?? VALUE_NAMES[def.type] ?? '';
  const dflt = def.defaultText ? `  (default ${def.defaultText})` : '';
  return `  ${names}${value ? ` ${value}` : ''}${dflt}`;
}

function flagText(def: FlagDef): string {
  let help = /[.)]$/.test(def.help) ? def.help : `${def.help}.`;
  if (def.name === 'feature-gates') help += `\nOptions are:\n${featureGateHelpLines().join('\n')}`;
  if (def.ignoredWithConfig) help += ' Ignored when --config is given.';
  if (def.deprecated) help = `DEPRECATED: ${def.deprecated}. ${help}`;
  if (def.kproxy) help = `[kproxy addition] ${help}`;
  return [flagHeader(def), ...wrap(help, INDENT)].join('\n');
}

function section(title: string, flags: readonly FlagDef[]): string {
  return `${title}:\n${flags.map(flagText).join('\n')}`;
}

const USAGE = `kproxy: a Kubernetes node service proxy with kube-proxy's flags, configuration file, metrics and
behaviour, and the userspace, iptables, nftables and ipvs modes in one program.

Usage:
  kproxy [flags]                 run the proxy (like kube-proxy)
  kproxy render [flags]          print the rules the selected mode would program, without applying them
  kproxy cleanup [flags]         remove every rule kproxy or kube-proxy left behind, then exit
  kproxy explain --to IP:PORT    what this node does with one connection, and why (kproxy explain --help)
  kproxy status [flags]          one line per service port (kproxy status --help)
  kproxy bench [--quick] [...]   benchmark the modes in network namespaces (kproxy bench --help)

Configuration comes from flags or from a KubeProxyConfiguration file (--config). As in kube-proxy,
a config file replaces the configuration flags; only the logging flags (-v, --vmodule,
--logging-format, --log-*) and --hostname-override still take effect next to it.`;

/** One line per replacement, so the klog flags removed together share a line. */
function removedLines(): string[] {
  const groups = new Map<string, string[]>();
  for (const r of REMOVED_FLAGS) {
    const key = `(removed in ${r.removedIn}): instead: ${r.instead}`;
    groups.set(key, [...(groups.get(key) ?? []), `--${r.name}`]);
  }
  return [...groups].flatMap(([key, names]) => wrap(`${names.join(', ')} ${key}`, '  '));
}

export function helpText(): string {
  const removed = removedLines();
  return [
    USAGE,
    section('General flags', PROGRAM_FLAGS),
    section('API server flags', CLIENT_FLAGS),
    section('Server flags', SERVER_FLAGS),
    section('Proxy mode flags', MODE_FLAGS),
    section('Traffic flags', TRAFFIC_FLAGS),
    section('Conntrack flags', CONNTRACK_FLAGS),
    section('Logging flags', LOGGING_FLAGS),
    section('kproxy flags (not in kube-proxy)', KPROXY_FLAGS),
    `Removed kube-proxy flags (rejected):\n${removed.join('\n')}`,
  ].join('\n\n') + '\n';
}
