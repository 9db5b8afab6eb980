// The scheduler table in words: the --ipvs-scheduler help text and the "Schedulers per mode" section of
// docs/compat.md are rendered from scheduler-table.ts, so neither can say something the code does not do
// (a test compares the section in docs/compat.md with renderSchedulerSection()).

import {
  MODE_SCHEDULING, SCHEDULER_TABLE, UNKNOWN_SCHEDULER_RULE,
  type Meaning, type NftablesPick, type SchedulerRow, type SchedulingMode,
} from './scheduler-table.js';

type ReadingMode = 'userspace' | 'nftables' | 'ipvs';
const READING_MODES: readonly ReadingMode[] = ['userspace', 'nftables', 'ipvs'];

/** The nft expression each pick becomes (pick-chains.ts writes it; the nftables renderer test checks it). */
export const NFT_PICK_EXPRESSION: Readonly<Record<NftablesPick, string>> = {
  random: 'numgen random', rr: 'numgen inc', sh: 'jhash ip saddr', dh: 'jhash ip daddr',
};

export const SECTION_BEGIN = '<!-- scheduler table: rendered from src/schedulers/scheduler-table.ts by renderSchedulerSection(); a test fails when this differs -->';
export const SECTION_END = '<!-- end of scheduler table -->';

const code = (s: string) => `\`${s}\``;
const names = (rows: readonly SchedulerRow[]) => rows.map((r) => r.name).join(', ');

function defaultsText(): string {
  const modes = Object.entries(MODE_SCHEDULING) as [SchedulingMode, (typeof MODE_SCHEDULING)[SchedulingMode]][];
  const byDefault = new Map<string, SchedulingMode[]>();
  for (const [mode, s] of modes) if (s.readsNames) byDefault.set(s.defaultScheduler, [...(byDefault.get(s.defaultScheduler) ?? []), mode]);
  const ignoring = modes.filter(([, s]) => !s.readsNames).map(([m, s]) => `${m} always picks ${s.defaultScheduler === 'random' ? 'at random' : `by ${s.defaultScheduler}`}, as upstream`);
  const parts = [...byDefault].map(([name, ms]) => `${name} in ${ms.join(' and ')}`);
  return `${parts.join(', ')}${ignoring.length > 0 ? ` (${ignoring.join('; ')})` : ''}`;
}

/** "nftables: wrr as rr; lc, wlc as random.": the names a mode runs as another. */
function substitutionsText(mode: ReadingMode): string {
  const byRuns = new Map<string, SchedulerRow[]>();
  for (const row of SCHEDULER_TABLE) {
    const m: Meaning = row[mode];
    if (m.fit !== 'same') byRuns.set(m.runs, [...(byRuns.get(m.runs) ?? []), row]);
  }
  return `${mode}: ${[...byRuns].map(([runs, rows]) => `${names(rows)} as ${runs}`).join('; ')}.`;
}

/** --ipvs-scheduler's help text. */
export function ipvsSchedulerHelp(): string {
  const ipvs = SCHEDULER_TABLE.filter((r) => r.origin === 'ipvs');
  const own = SCHEDULER_TABLE.filter((r) => r.origin === 'kproxy');
  return `The scheduler of Services without the kproxy.io/scheduler annotation, in every mode that reads one: ${names(ipvs)}, or ${names(own)} (kproxy addition). ` +
    `Empty means the mode's default: ${defaultsText()}. ` +
    `Names run as others (see docs/compat.md) in ${READING_MODES.map(substitutionsText).join(' ')} An unknown annotation runs ${UNKNOWN_SCHEDULER_RULE}, with a warning.`;
}

function cell(mode: ReadingMode, m: Meaning): string {
  const what = mode === 'nftables' ? `${code(m.runs)} (${NFT_PICK_EXPRESSION[m.runs as NftablesPick]})` : code(m.runs);
  const flags = m.flags?.length ? `, flags ${m.flags.map(code).join(', ')}` : '';
  return m.fit === 'same' ? `${what}${flags}` : `${m.fit}: ${what}, ${m.why}`;
}

/** The docs/compat.md section between SECTION_BEGIN and SECTION_END (markers included). */
export function renderSchedulerSection(): string {
  const rows = SCHEDULER_TABLE.map((r) =>
    `| ${code(r.name)} | ${r.description}${r.origin === 'kproxy' ? ' (kproxy only)' : ''} | ${READING_MODES.map((m) => cell(m, r[m])).join(' | ')} |`);
  return [
    SECTION_BEGIN,
    '',
    'A Service\'s scheduler is its `kproxy.io/scheduler` annotation, else `--ipvs-scheduler`, else the mode\'s default:',
    `${defaultsText()}.`,
    `A name not in this table runs ${code(UNKNOWN_SCHEDULER_RULE)} in every mode that reads names, with a warning naming the Service port`,
    'and the value; `--ipvs-scheduler` refuses it (config validation names the field, the value and the allowed names).',
    '*equivalent*: runs another scheduler that behaves the same here, silently; *fallback*: runs another, with a',
    'warning naming the Service port (nftables also counts fallbacks and unknown names in',
    '`kproxy_nftables_scheduler_fallbacks_total{scheduler}`).',
    '',
    '| scheduler | what | userspace | nftables | ipvs |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    SECTION_END,
  ].join('\n');
}
