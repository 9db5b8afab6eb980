// Splits argv into flag uses and positional arguments the way spf13/pflag does for kube-proxy:
// --flag=value, --flag value, booleans as --flag or --flag=false, shorthands -h / -v 4 / -v=4 / -v4,
// "--" ends the flags, and "_" in a flag name means "-" (component-base's word-separator normalization).
// Unknown and removed flags become problems that say what to use instead.

import { FlagValueError, type FlagDef, type FlagState } from './flag-model.js';
import { KPROXY_FLAGS, LOGGING_FLAGS } from './flags-extra.js';
import { CLIENT_FLAGS, CONNTRACK_FLAGS, MODE_FLAGS, PROGRAM_FLAGS, SERVER_FLAGS, TRAFFIC_FLAGS } from './flags-kube.js';
import { removedFlag, WINDOWS_ONLY_FLAGS } from './removed-flags.js';

export const ALL_FLAGS: readonly FlagDef[] = [
  ...PROGRAM_FLAGS, ...CLIENT_FLAGS, ...SERVER_FLAGS, ...MODE_FLAGS, ...TRAFFIC_FLAGS, ...CONNTRACK_FLAGS,
  ...LOGGING_FLAGS, ...KPROXY_FLAGS,
];

const BY_NAME = new Map(ALL_FLAGS.map((f) => [f.name, f]));
const BY_SHORTHAND = new Map(ALL_FLAGS.filter((f) => f.shorthand).map((f) => [f.shorthand!, f]));

/** Types whose flag stands alone as "true" (no separate value argument). */
const NO_VALUE_NEEDED = new Set(['bool', 'version']);

export interface FlagUse {
  readonly def: FlagDef;
  readonly value: string;
}

export interface ParsedArgs {
  uses: FlagUse[];
  positionals: string[];
  problems: string[];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function unknownFlagProblem(name: string): string {
  const removed = removedFlag(name);
  if (removed) {
    return `--${name} was removed from kube-proxy in ${removed.removedIn} (${removed.why}); instead: ${removed.instead}`;
  }
  if (WINDOWS_ONLY_FLAGS.includes(name)) return `--${name} is a Windows-only kube-proxy flag; kproxy runs on Linux`;
  const close = ALL_FLAGS.map((f) => f.name).filter((n) => editDistance(n, name) <= 2 || (name.length >= 4 && n.startsWith(name)));
  const hint = close.length > 0 ? `; did you mean ${close.map((n) => `--${n}`).join(' or ')}?` : '; see --help for the flags kproxy accepts';
  return `unknown flag --${name}${hint}`;
}

function parseLong(arg: string, rest: string[], out: ParsedArgs): void {
  const body = arg.slice(2);
  const eq = body.indexOf('=');
  const name = (eq < 0 ? body : body.slice(0, eq)).replaceAll('_', '-');
  const def = BY_NAME.get(name);
  if (!def) {
    out.problems.push(unknownFlagProblem(name));
    // Skip a following value only when it clearly belongs to the bad flag ("--old-flag value").
    if (eq < 0 && rest.length > 0 && !rest[0]!.startsWith('-')) rest.shift();
    return;
  }
  if (eq >= 0) out.uses.push({ def, value: body.slice(eq + 1) });
  else if (NO_VALUE_NEEDED.has(def.type)) out.uses.push({ def, value: 'true' });
  else if (rest.length > 0) out.uses.push({ def, value: rest.shift()! });
  else out.problems.push(`--${name} needs a value (${def.valueName ?? def.type})`);
}

function parseShort(arg: string, rest: string[], out: ParsedArgs): void {
  let letters = arg.slice(1);
  while (letters.length > 0) {
    const letter = letters[0]!;
    const def = BY_SHORTHAND.get(letter);
    letters = letters.slice(1);
    if (!def) {
      out.problems.push(`unknown shorthand flag -${letter} in ${arg}; long flags take two dashes (--flag)`);
      return;
    }
    if (letters.startsWith('=')) {
      out.uses.push({ def, value: letters.slice(1) });
      return;
    }
    if (NO_VALUE_NEEDED.has(def.type)) {
      out.uses.push({ def, value: 'true' });
      continue;
    }
    if (letters.length > 0) out.uses.push({ def, value: letters });
    else if (rest.length > 0) out.uses.push({ def, value: rest.shift()! });
    else out.problems.push(`-${letter} needs a value (${def.valueName ?? def.type})`);
    return;
  }
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { uses: [], positionals: [], problems: [] };
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg === '--') {
      out.positionals.push(...rest.splice(0));
    } else if (arg.startsWith('--')) {
      parseLong(arg, rest, out);
    } else if (arg.startsWith('-') && arg !== '-') {
      parseShort(arg, rest, out);
    } else {
      out.positionals.push(arg);
    }
  }
  return out;
}

/** Applies flag uses in order; returns one problem per rejected value. */
export function applyFlagUses(state: FlagState, uses: readonly FlagUse[]): string[] {
  const problems: string[] = [];
  for (const { def, value } of uses) {
    try {
      def.apply(state, value);
    } catch (err) {
      if (!(err instanceof FlagValueError)) throw err;
      problems.push(`--${def.name}: invalid value ${JSON.stringify(value)}: ${err.message}`);
    }
  }
  return problems;
}
