// `kproxy [flags]` runs the proxy exactly as `kube-proxy [flags]` does; subcommands add what upstream lacks:
// `render` (print the program, change nothing), `cleanup`, `explain` (what happens to one connection, and
// why) and `status` (one line per service port). Exit status: 0 ok, 1 runtime failure or bad
// configuration (as kube-proxy's cobra command).

import { ConfigError, helpText, loadConfiguration, serializeConfiguration } from '../config/load.js';
import type { LoadedConfiguration } from '../config/load.js';
import { writeFile } from 'node:fs/promises';
import { runBench } from '../bench/bench-command.js';
import { runCleanup } from './cleanup-command.js';
import { EXPLAIN_HELP, STATUS_HELP } from '../explain/command-help.js';
import { COMMANDS_WITH_FLAGS, takeCommandFlags, type CommandFlags } from '../explain/command-flags.js';
import { ConnectionError } from '../explain/connection-parse.js';
import { runExplain } from './explain-command.js';
import { runStatus } from './status-command.js';
import { runRender } from './render-command.js';
import { runProxy } from './run-command.js';
import { kproxyVersion } from './version.js';

const SUBCOMMANDS: Record<string, (loaded: LoadedConfiguration, flags: CommandFlags) => Promise<number>> = {
  render: runRender,
  cleanup: runCleanup,
  explain: runExplain,
  status: runStatus,
};

const COMMAND_HELP: Record<string, string> = { explain: EXPLAIN_HELP, status: STATUS_HELP };

export async function main(argv: readonly string[]): Promise<number> {
  // bench has flags of its own (--quick, --modes, ...) that are no kube-proxy flags.
  if (argv[0] === 'bench') return runBench(argv.slice(1));
  // explain and status add flags of their own; they are taken out before kube-proxy's flags are parsed.
  let commandFlags: CommandFlags = { live: false, output: 'text' };
  let commandFlagsUsed: string[] = [];
  if (argv.some((a) => COMMANDS_WITH_FLAGS.includes(a))) {
    try {
      ({ flags: commandFlags, rest: argv, used: commandFlagsUsed } = takeCommandFlags(argv));
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      process.stderr.write(`kproxy: ${err.message}\n`);
      return 1;
    }
  }
  let loaded: LoadedConfiguration;
  try {
    loaded = await loadConfiguration(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kproxy: ${err.message}\nRun 'kproxy --help' for usage.\n`);
      return 1;
    }
    throw err;
  }
  for (const w of loaded.warnings) process.stderr.write(`kproxy: warning: ${w}\n`);
  if (loaded.help) {
    const first = loaded.positionals[0];
    process.stdout.write(first !== undefined && Object.hasOwn(COMMAND_HELP, first) ? COMMAND_HELP[first]! : helpText());
    return 0;
  }
  if (loaded.version) {
    process.stdout.write(`kproxy ${kproxyVersion()}\n`);
    return 0;
  }
  if (loaded.writeConfigTo) {
    await writeFile(loaded.writeConfigTo, serializeConfiguration(loaded.config));
    process.stdout.write(`Wrote configuration to: ${loaded.writeConfigTo}\n`);
    return 0;
  }
  const [sub, ...rest] = loaded.positionals;
  if (loaded.cleanup) return runCleanup(loaded);
  if (sub === undefined) return runProxy(loaded);
  const command = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (command === undefined || rest.length > 0) {
    const what = command ? `unexpected arguments after "${sub}": ${rest.join(' ')}` : `unknown command "${sub}"`;
    process.stderr.write(`kproxy: ${what}; commands: ${[...Object.keys(SUBCOMMANDS), 'bench'].join(', ')} (none runs the proxy)\n`);
    return 1;
  }
  if (commandFlagsUsed.length > 0 && !COMMANDS_WITH_FLAGS.includes(sub)) {
    process.stderr.write(`kproxy: ${commandFlagsUsed.join(', ')} only work with ${COMMANDS_WITH_FLAGS.join(' and ')}\n`);
    return 1;
  }
  return command(loaded, commandFlags);
}

// Run when executed directly (bin/kproxy.js imports this module and calls main itself).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`kproxy: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
