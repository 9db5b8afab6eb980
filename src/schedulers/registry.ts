// The userspace scheduler plugins by name: how each runs. Which plugin a service port gets (and what an
// unknown or kernel-only name becomes) is scheduler-table.ts's answer; descriptions come from there too.
import { DestinationHashScheduler } from './dh.js';
import { MaglevHashScheduler } from './mh.js';
import { RandomScheduler } from './random.js';
import { RoundRobinScheduler } from './rr.js';
import { SourceHashScheduler } from './sh.js';
import {
  LEAST_CONNECTION,
  LeastOverheadScheduler,
  NEVER_QUEUE,
  SHORTEST_EXPECTED_DELAY,
  WEIGHTED_LEAST_CONNECTION,
} from './least-connection.js';
import { schedulerRow } from './scheduler-table.js';
import type { ConnectionCounts, Scheduler, SchedulerFactory } from './types.js';
import { WeightedRoundRobinScheduler } from './wrr.js';

export interface SchedulerOptions {
  /** sh and mh: hash the client port with the client IP (ipvs flags sh-port / mh-port). */
  hashSourcePort?: boolean;
  /** random: the random source, [0, 1) like Math.random. */
  random?: () => number;
}

interface Plugin {
  readonly name: string;
  build(counts: ConnectionCounts, options: SchedulerOptions): Scheduler;
}

const PLUGINS: readonly Plugin[] = [
  { name: 'rr', build: () => new RoundRobinScheduler() },
  { name: 'wrr', build: () => new WeightedRoundRobinScheduler() },
  { name: 'lc', build: (c) => new LeastOverheadScheduler(LEAST_CONNECTION, c) },
  { name: 'wlc', build: (c) => new LeastOverheadScheduler(WEIGHTED_LEAST_CONNECTION, c) },
  { name: 'sed', build: (c) => new LeastOverheadScheduler(SHORTEST_EXPECTED_DELAY, c) },
  { name: 'nq', build: (c) => new LeastOverheadScheduler(NEVER_QUEUE, c) },
  { name: 'dh', build: () => new DestinationHashScheduler() },
  { name: 'sh', build: (_c, o) => new SourceHashScheduler(o.hashSourcePort ?? false) },
  { name: 'mh', build: (_c, o) => new MaglevHashScheduler(o.hashSourcePort ?? false) },
  { name: 'random', build: (_c, o) => new RandomScheduler(o.random) },
];

const BY_NAME = new Map(PLUGINS.map((p) => [p.name, p]));

export const SCHEDULER_NAMES: readonly string[] = Object.freeze(PLUGINS.map((p) => p.name));

/** The factory for `name` with default options, or undefined when no scheduler has that name. */
export function schedulerFactory(name: string): SchedulerFactory | undefined {
  const plugin = BY_NAME.get(name);
  if (plugin === undefined) return undefined;
  return {
    name: plugin.name,
    description: schedulerRow(plugin.name)?.description ?? plugin.name,
    create: (counts) => plugin.build(counts, {}),
  };
}

export function createScheduler(name: string, counts: ConnectionCounts, options: SchedulerOptions = {}): Scheduler {
  const plugin = BY_NAME.get(name);
  if (plugin === undefined) {
    throw new Error(`unknown scheduler ${JSON.stringify(name)}: allowed are ${SCHEDULER_NAMES.join(', ')}`);
  }
  return plugin.build(counts, options);
}
