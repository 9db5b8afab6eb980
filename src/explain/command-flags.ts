// The flags `kproxy explain` and `kproxy status` add to kube-proxy's: taken out of argv before the usual
// flag parsing, so every kube-proxy flag (--from, --proxy-mode, --hostname-override, ...) keeps working
// unchanged beside them, and a kube-proxy run never sees them.

import { ConnectionError } from './connection-parse.js';

export interface CommandFlags {
  to?: string;
  source?: string;
  via?: string;
  live: boolean;
  output: 'text' | 'json';
}

const VALUED = new Map([
  ['--to', 'to'],
  ['--source', 'source'],
  ['--via', 'via'],
  ['--output', 'output'],
  ['-o', 'output'],
] as const);

/** Commands that take these flags; for any other command argv is left alone. */
export const COMMANDS_WITH_FLAGS = ['explain', 'status'];

/** Splits argv into the command flags and the rest; throws ConnectionError on a flag without a value. */
export function takeCommandFlags(argv: readonly string[]): { flags: CommandFlags; rest: string[]; used: string[] } {
  const flags: CommandFlags = { live: false, output: 'text' };
  const rest: string[] = [];
  const used: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--live' || arg === '--live=true') {
      flags.live = true;
      used.push('--live');
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : /^-o./.test(arg) ? '-o' : arg;
    const field = VALUED.get(name as '--to');
    if (field === undefined) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (name === '-o' && arg.length > 2) value = arg.slice(2);
    else value = argv[++i];
    if (value === undefined) throw new ConnectionError(`${name} needs a value`);
    used.push(name);
    if (field === 'output') {
      if (value !== 'text' && value !== 'json') throw new ConnectionError(`${name} ${JSON.stringify(value)}: output is "text" or "json"`);
      flags.output = value;
    } else {
      flags[field] = value;
    }
  }
  return { flags, rest, used };
}
