// Feature gates kproxy knows: the ones upstream kube-proxy consults that matter to a node proxy, plus
// AllAlpha/AllBeta and the logging gates. Upstream rejects a gate it does not know; so does kproxy, and
// the message lists the gates it knows.

import { ConfigError, shown } from './config-error.js';

export interface FeatureGateSpec {
  readonly name: string;
  readonly default: boolean;
  readonly stage: 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';
  readonly description: string;
}

export const KNOWN_FEATURE_GATES: readonly FeatureGateSpec[] = [
  { name: 'AllAlpha', default: false, stage: 'ALPHA', description: 'enable every alpha gate' },
  { name: 'AllBeta', default: false, stage: 'BETA', description: 'enable every beta gate' },
  { name: 'ComponentFlagz', default: false, stage: 'ALPHA', description: '/flagz endpoint' },
  { name: 'ComponentStatusz', default: false, stage: 'ALPHA', description: '/statusz endpoint' },
  { name: 'ContextualLogging', default: true, stage: 'BETA', description: 'contextual logging' },
  { name: 'KubeProxyIPVS', default: true, stage: 'DEPRECATED', description: 'the ipvs proxy mode (being removed upstream)' },
  {
    name: 'KubeProxyNFTablesLocalhostNodePorts', default: false, stage: 'ALPHA',
    description: 'NodePorts on localhost in nftables mode when nodePortAddresses includes loopback',
  },
  { name: 'LoggingAlphaOptions', default: false, stage: 'ALPHA', description: 'alpha logging options (split streams, buffers)' },
  { name: 'LoggingBetaOptions', default: true, stage: 'BETA', description: 'beta logging options' },
  { name: 'NFTablesNetlink', default: true, stage: 'BETA', description: 'program nftables over netlink instead of the nft binary' },
  {
    name: 'PreferSameTrafficDistribution', default: true, stage: 'BETA',
    description: 'trafficDistribution PreferSameZone / PreferSameNode',
  },
];

const BY_NAME = new Map(KNOWN_FEATURE_GATES.map((g) => [g.name, g]));

/** Go's strconv.ParseBool spellings. */
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

function knownGatesText(): string {
  return `known gates: ${KNOWN_FEATURE_GATES.map((g) => g.name).join(', ')}`;
}

/** Problems with gate names in a map (from a file or flags); empty when all are known. */
export function featureGateProblems(gates: Record<string, boolean>, where: string): string[] {
  const unknown = Object.keys(gates).filter((name) => !BY_NAME.has(name));
  if (unknown.length === 0) return [];
  return [`${where}: unrecognized feature gate${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => shown(n)).join(', ')}; ${knownGatesText()}`];
}

/** Splits "A=true,B=false" into pairs, reporting malformed entries; gate names are not checked. */
export function splitFeatureGates(text: string): { gates: Record<string, boolean>; problems: string[] } {
  const gates: Record<string, boolean> = {};
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq).trim();
    const value = eq < 0 ? undefined : parseGoBool(entry.slice(eq + 1).trim());
    if (eq < 0 || value === undefined) {
      problems.push(`feature gate entry ${shown(entry)} must be NAME=true or NAME=false`);
      continue;
    }
    gates[name] = value;
  }
  return { gates, problems };
}

/** "A=true,B=false" -> { A: true, B: false }; malformed entries or unknown gates -> ConfigError. */
export function parseFeatureGates(text: string): Record<string, boolean> {
  const { gates, problems } = splitFeatureGates(text);
  problems.push(...featureGateProblems(gates, '--feature-gates'));
  if (problems.length > 0) throw new ConfigError(problems);
  return gates;
}

/** Whether a gate is on, given the explicit settings (AllAlpha/AllBeta switch the gates of their stage). */
export function featureEnabled(gates: Record<string, boolean>, name: string): boolean {
  const explicit = gates[name];
  if (explicit !== undefined) return explicit;
  const spec = BY_NAME.get(name);
  if (!spec) return false;
  if (spec.stage === 'ALPHA' && gates.AllAlpha) return true;
  if (spec.stage === 'BETA' && gates.AllBeta) return true;
  return spec.default;
}

/** Help lines in upstream's format: "Name=true|false (BETA - default=true)". */
export function featureGateHelpLines(): string[] {
  return KNOWN_FEATURE_GATES.map((g) => `${g.name}=true|false (${g.stage} - default=${g.default})`);
}
