// The one answer to "what does scheduler S do in mode M". A scheduler name comes from the
// kproxy.io/scheduler annotation or --ipvs-scheduler; each mode runs what its row says, and every place
// that turns a name into behaviour (the userspace picker, the nftables pick chains, the IPVS virtual
// servers, config validation, the mode defaults, `kproxy --help`, docs/compat.md) reads it from here.
// It is plain data plus lookups, so it imports nothing.

export type SchedulingMode = 'userspace' | 'iptables' | 'nftables' | 'ipvs';

/** The ways nft picks an endpoint in a rule (numgen random, a counter, a hash of an address). */
export type NftablesPick = 'random' | 'rr' | 'sh' | 'dh';

/** same: runs as asked; equivalent: runs another that behaves the same here (silently); fallback: warned. */
export type Fit = 'same' | 'equivalent' | 'fallback';

export interface Meaning<Runs extends string = string> {
  /** userspace: a plugin of src/schedulers; nftables: an nft pick; ipvs: a kernel scheduler (ip_vs_NAME). */
  readonly runs: Runs;
  readonly fit: Fit;
  /** ipvs: scheduler flags, as ipvsadm -b spells them. */
  readonly flags?: readonly string[];
  /** Why, when fit is not 'same'. */
  readonly why?: string;
}

export interface SchedulerRow {
  readonly name: string;
  readonly description: string;
  /** 'ipvs': a Linux IPVS scheduler; 'kproxy': kproxy's own. */
  readonly origin: 'ipvs' | 'kproxy';
  readonly userspace: Meaning;
  readonly nftables: Meaning<NftablesPick>;
  readonly ipvs: Meaning;
}

const same = <R extends string>(runs: R, flags?: readonly string[]): Meaning<R> => ({ runs, fit: 'same', ...(flags ? { flags } : {}) });
const NFT_NO_COUNTS = 'needs connection counts nft does not keep';
const NFT_NO_LOCALITY = 'needs per-destination state nft does not keep';
const NFT_NO_WEIGHTS = 'needs weights and connection counts nft does not keep';
const US_NO_PLUGIN = 'no userspace plugin';
const nftRandom = (why: string): Meaning<NftablesPick> => ({ runs: 'random', fit: 'fallback', why });
const usRR: Meaning = { runs: 'rr', fit: 'fallback', why: US_NO_PLUGIN };

export const SCHEDULER_TABLE: readonly SchedulerRow[] = [
  { name: 'rr', description: 'round robin', origin: 'ipvs', userspace: same('rr'), nftables: same('rr'), ipvs: same('rr') },
  { name: 'wrr', description: 'weighted round robin', origin: 'ipvs', userspace: same('wrr'),
    nftables: { runs: 'rr', fit: 'equivalent', why: 'Kubernetes endpoints carry no weights' }, ipvs: same('wrr') },
  { name: 'lc', description: 'least connections', origin: 'ipvs', userspace: same('lc'), nftables: nftRandom(NFT_NO_COUNTS), ipvs: same('lc') },
  { name: 'wlc', description: 'weighted least connections', origin: 'ipvs', userspace: same('wlc'), nftables: nftRandom(NFT_NO_COUNTS), ipvs: same('wlc') },
  { name: 'lblc', description: 'locality-based least connections', origin: 'ipvs', userspace: usRR, nftables: nftRandom(NFT_NO_LOCALITY), ipvs: same('lblc') },
  { name: 'lblcr', description: 'locality-based least connections with replication', origin: 'ipvs', userspace: usRR,
    nftables: nftRandom(NFT_NO_LOCALITY), ipvs: same('lblcr') },
  { name: 'sh', description: 'source hashing', origin: 'ipvs', userspace: same('sh'), nftables: same('sh'), ipvs: same('sh') },
  { name: 'dh', description: 'destination hashing', origin: 'ipvs', userspace: same('dh'), nftables: same('dh'), ipvs: same('dh') },
  { name: 'sed', description: 'shortest expected delay', origin: 'ipvs', userspace: same('sed'), nftables: nftRandom(NFT_NO_COUNTS), ipvs: same('sed') },
  { name: 'nq', description: 'never queue', origin: 'ipvs', userspace: same('nq'), nftables: nftRandom(NFT_NO_COUNTS), ipvs: same('nq') },
  { name: 'mh', description: 'maglev hashing', origin: 'ipvs', userspace: same('mh'),
    nftables: nftRandom('needs a Maglev table nft does not keep'), ipvs: same('mh', ['mh-port']) },
  { name: 'fo', description: 'weighted failover', origin: 'ipvs', userspace: usRR, nftables: nftRandom(NFT_NO_WEIGHTS), ipvs: same('fo') },
  { name: 'ovf', description: 'weighted overflow', origin: 'ipvs', userspace: usRR, nftables: nftRandom(NFT_NO_WEIGHTS), ipvs: same('ovf') },
  { name: 'random', description: 'uniformly random', origin: 'kproxy', userspace: same('random'), nftables: same('random'),
    ipvs: { runs: 'rr', fit: 'fallback', why: 'no IPVS kernel module' } },
];

export interface ModeScheduling {
  /** The scheduler of a Service without the annotation when --ipvs-scheduler is empty. */
  readonly defaultScheduler: string;
  /** false: the mode ignores scheduler names (iptables picks at random, as upstream). */
  readonly readsNames: boolean;
}

export const MODE_SCHEDULING: Readonly<Record<SchedulingMode, ModeScheduling>> = {
  userspace: { defaultScheduler: 'rr', readsNames: true },
  iptables: { defaultScheduler: 'random', readsNames: false },
  nftables: { defaultScheduler: 'random', readsNames: true },
  ipvs: { defaultScheduler: 'rr', readsNames: true },
};

/**
 * The one rule for a name not in the table (only the annotation can carry one: config validation refuses
 * it in --ipvs-scheduler): run this row, with a warning naming the Service port and the value. rr is what
 * IPVS semantics give an empty scheduler, and every mode that reads names runs it in full.
 */
export const UNKNOWN_SCHEDULER_RULE = 'rr';

const BY_NAME = new Map(SCHEDULER_TABLE.map((r) => [r.name, r]));

export const TABLE_SCHEDULER_NAMES: readonly string[] = SCHEDULER_TABLE.map((r) => r.name);

export function schedulerRow(name: string): SchedulerRow | undefined {
  return BY_NAME.get(name);
}

/** The name a Service without the annotation gets: --ipvs-scheduler when set, else the mode's default. */
export function defaultSchedulerFor(mode: SchedulingMode, configured: string): string {
  return configured || MODE_SCHEDULING[mode].defaultScheduler;
}

export interface SchedulerChoice<Runs extends string = string> {
  /** What was asked ('' replaced by the default). */
  readonly requested: string;
  readonly meaning: Meaning<Runs>;
  /** True when `requested` is not in the table (UNKNOWN_SCHEDULER_RULE applied). */
  readonly unknown: boolean;
}

type ReadingMode = 'userspace' | 'nftables' | 'ipvs';
type RunsIn<M extends ReadingMode> = SchedulerRow[M] extends Meaning<infer R> ? R : never;

/** What `mode` runs for `requested` ('' means `defaultName`, else the mode's default). */
export function resolveScheduler<M extends ReadingMode>(mode: M, requested: string, defaultName = MODE_SCHEDULING[mode].defaultScheduler): SchedulerChoice<RunsIn<M>> {
  const name = requested || defaultName;
  const row = BY_NAME.get(name);
  const meaning = (row ?? BY_NAME.get(UNKNOWN_SCHEDULER_RULE)!)[mode] as Meaning<RunsIn<M>>;
  return { requested: name, meaning, unknown: row === undefined };
}

/** The warning for a choice the mode does not run as asked, naming the Service port and the value; else undefined. */
export function schedulerWarning(mode: ReadingMode, servicePort: string, choice: SchedulerChoice): string | undefined {
  const asked = JSON.stringify(choice.requested);
  if (choice.unknown) {
    return `Service port ${servicePort}: scheduler ${asked} (annotation kproxy.io/scheduler) is unknown; using ${choice.meaning.runs} (known: ${TABLE_SCHEDULER_NAMES.join(', ')})`;
  }
  if (choice.meaning.fit !== 'fallback') return undefined;
  return `Service port ${servicePort}: scheduler ${asked} cannot run in ${mode} mode (${choice.meaning.why}); using ${choice.meaning.runs}`;
}
