// Builds kproxy's configuration from argv the way kube-proxy's Options.Complete/Validate do.
//
// Precedence (current upstream, cmd/kube-proxy/app/options.go): without --config the configuration is
// the v1alpha1 defaults overridden by flags. With --config the file's (defaulted) configuration replaces
// everything the flags set, except that (1) logging flags that were given win over the file's logging
// section (vmodule: the flags' entries first, then the file's), and (2) --hostname-override, when
// non-empty, wins over the file's hostnameOverride (trimmed and lower-cased). The deprecated
// --healthz-port/--metrics-port only apply without --config and without --write-config-to.
// Flags that are not in the config (--master, --cleanup, --init-only, --write-config-to, kproxy's own)
// apply either way. kproxy warns about configuration flags that --config makes ineffective.

import { readFile } from 'node:fs/promises';
import { applyFlagUses, parseArgs, type FlagUse } from './argv.js';
import { ConfigError, shown, throwIfProblems } from './config-error.js';
import { decodeConfiguration } from './decode.js';
import { appendPortIfNeeded } from './defaults.js';
import { parseDuration } from './duration.js';
import { newFlagState, type FlagState } from './flag-model.js';
import type { KubeProxyConfiguration } from './types.js';
import { syncSectionName, validateConfiguration } from './validate.js';

export { ConfigError } from './config-error.js';
export { helpText } from './help.js';
export { serializeConfiguration } from './serialize.js';
export { parseDuration } from './duration.js';
export { parseFeatureGates } from './feature-gates.js';

/** What the command line chose besides the configuration (see FlagState for each field). */
type CommandLineChoices = Pick<FlagState, 'kproxy' | 'configFile' | 'writeConfigTo' | 'cleanup' | 'initOnly' | 'help' | 'version' | 'kubeconfig' | 'master'>;

export interface LoadedConfiguration extends CommandLineChoices {
  /** Defaulted and validated (config.clientConnection.kubeconfig holds the effective kubeconfig). */
  config: KubeProxyConfiguration;
  /** Non-flag arguments (the CLI uses the first as a subcommand). */
  positionals: string[];
  /** Deprecated flags used, flags without effect: worth logging, not fatal. */
  warnings: string[];
}

/** The sync period pair the given mode uses, in milliseconds. */
export function effectiveSyncPeriods(c: KubeProxyConfiguration, mode: string): { syncPeriodMs: number; minSyncPeriodMs: number } {
  const section = c[syncSectionName(mode)];
  return { syncPeriodMs: parseDuration(section.syncPeriod), minSyncPeriodMs: parseDuration(section.minSyncPeriod) };
}

/** Flags-only path: resolve the flags whose target depends on the final proxy mode. */
function finishFlagConfiguration(state: FlagState, warnings: string[]): void {
  const { config: c, deferred: d } = state;
  // Upstream keeps one internal sync pair, seeded from the iptables defaults, and writes it into the
  // section of the selected mode; the --iptables-* pair covers every mode but ipvs.
  const seed = { sync: c.iptables.syncPeriod, min: c.iptables.minSyncPeriod };
  if (c.mode === 'ipvs') {
    c.ipvs.syncPeriod = d.ipvsSyncPeriod ?? seed.sync;
    c.ipvs.minSyncPeriod = d.ipvsMinSyncPeriod ?? seed.min;
    if (d.iptablesSyncPeriod || d.iptablesMinSyncPeriod) warnings.push('--iptables-sync-period/--iptables-min-sync-period have no effect in ipvs mode; use --ipvs-sync-period/--ipvs-min-sync-period');
  } else {
    const section = c.mode === 'nftables' ? c.nftables : c.iptables;
    section.syncPeriod = d.iptablesSyncPeriod ?? seed.sync;
    section.minSyncPeriod = d.iptablesMinSyncPeriod ?? seed.min;
    if (d.ipvsSyncPeriod || d.ipvsMinSyncPeriod) warnings.push('--ipvs-sync-period/--ipvs-min-sync-period only apply in ipvs mode');
  }
  if (d.masqueradeAll !== undefined) (c.mode === 'nftables' ? c.nftables : c.iptables).masqueradeAll = d.masqueradeAll;
  if (state.writeConfigTo === undefined) {
    c.healthzBindAddress = d.healthzPort === 0 ? '' : appendPortIfNeeded(c.healthzBindAddress, d.healthzPort);
    c.metricsBindAddress = d.metricsPort === 0 ? '' : appendPortIfNeeded(c.metricsBindAddress, d.metricsPort);
  }
}

async function readConfigFile(path: string): Promise<KubeProxyConfiguration> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config: cannot read ${shown(path)}: ${(err as Error).message}`);
  }
  return decodeConfiguration(text, path);
}

/** Config-file path: the logging flags given on the command line win over the file's logging section. */
function applyLoggingFlags(config: KubeProxyConfiguration, uses: readonly FlagUse[]): string[] {
  const fileVModule = config.logging.vmodule ?? [];
  const state = { ...newFlagState(), config };
  config.logging.vmodule = [];
  const problems = applyFlagUses(state, uses.filter((u) => u.def.logging));
  config.logging.vmodule = [...config.logging.vmodule, ...fileVModule];
  if (config.logging.vmodule.length === 0) delete config.logging.vmodule;
  return problems;
}

function applyHostnameOverride(config: KubeProxyConfiguration, flag: string | undefined): string[] {
  if (flag === undefined || flag === '') return [];
  const name = flag.trim();
  if (name === '') return [`--hostname-override: invalid value ${shown(flag)}: must not be only whitespace`];
  config.hostnameOverride = name.toLowerCase();
  return [];
}

/** Formats validation problems naming the flag(s) that set the field, or the config file. */
function describeProblems(config: KubeProxyConfiguration, uses: readonly FlagUse[], configFile: string | undefined): string[] {
  return validateConfiguration(config).map(({ field, value, reason }) => {
    const root = field.replace(/\[\d+\]$/, '');
    const flags = [...new Set(uses.filter((u) => u.def.fields?.includes(root) && (!configFile || u.def.logging)).map((u) => `--${u.def.name}`))];
    const where = flags.length > 0 ? `${field} (${flags.join(', ')})` : configFile ? `${configFile}: ${field}` : field;
    return `${where}: invalid value ${shown(value)}: ${reason}`;
  });
}

/** Parses argv, reads --config, applies defaults and validates; throws ConfigError listing every problem. */
export async function loadConfiguration(argv: readonly string[]): Promise<LoadedConfiguration> {
  const parsed = parseArgs(argv);
  const state = newFlagState();
  const problems = [...parsed.problems, ...applyFlagUses(state, parsed.uses)];
  const warnings = parsed.uses.filter((u) => u.def.deprecated).map((u) => `--${u.def.name} is deprecated: ${u.def.deprecated}`);
  // Help and version need only well-formed flags, not a valid configuration.
  if (state.help || state.version) throwIfProblems(problems);
  let config: KubeProxyConfiguration | undefined = state.config;
  if (!state.help && !state.version) {
    const configFile = state.configFile || undefined;
    if (configFile !== undefined) {
      config = await readConfigFile(configFile).catch((err: unknown) => {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
        return undefined;
      });
      if (config) problems.push(...applyLoggingFlags(config, parsed.uses));
      const ignored = [...new Set(parsed.uses.filter((u) => u.def.ignoredWithConfig).map((u) => `--${u.def.name}`))];
      if (ignored.length > 0) warnings.push(`ignored because --config is given (set these in the file): ${ignored.join(', ')}`);
    } else {
      finishFlagConfiguration(state, warnings);
    }
    if (config) {
      problems.push(...applyHostnameOverride(config, state.hostnameOverride));
      problems.push(...describeProblems(config, parsed.uses, configFile));
    }
    throwIfProblems(problems);
  }
  return {
    config: config!,
    kproxy: state.kproxy,
    configFile: state.configFile,
    writeConfigTo: state.writeConfigTo,
    cleanup: state.cleanup,
    initOnly: state.initOnly,
    help: state.help,
    version: state.version,
    kubeconfig: state.kubeconfig,
    master: state.master,
    positionals: parsed.positionals,
    warnings,
  };
}
