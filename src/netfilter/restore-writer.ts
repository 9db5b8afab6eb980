// The iptables-restore input every kernel mode writes (the iptables mode's tables, the IPVS mode's
// companion rules, the userspace portals' comments): one table's chains and rules collected while
// rendering, turned into restore text, and rule comments quoted so iptables-restore reads them back.

export type TableName = 'filter' | 'nat';

/** One table's restore input, in parts: declared chains (each is flushed), rule lines, deleted chains. */
export interface TableProgram {
  readonly table: TableName;
  /** Chains this restore declares (`:NAME - [0:0]`): created, or flushed and rewritten. */
  readonly chains: readonly string[];
  /** `-A CHAIN ...` lines, in order. */
  readonly rules: readonly string[];
  /** Chains deleted at the end (`-X NAME`; they are declared too, which flushes them first). */
  readonly deleted: readonly string[];
}

export interface RestoreTextOptions {
  /**
   * iptables-nft only: start with a chain-less `-S` (after the inserted jump rules and the chains they
   * target) so iptables-nft caches the whole table instead of tracking every chain name the input
   * mentions, which is quadratic (see dataplane/iptables/nft-restore-cache.ts). The rules written are the same.
   */
  readonly wholeTableCache?: boolean;
}

/** A table's iptables-restore input. `extra` lines (declared chains, rules) are added by the executor. */
export function tableRestoreText(
  t: TableProgram,
  extra: { chains?: readonly string[]; rules?: readonly string[]; deleted?: readonly string[] } = {},
  opts: RestoreTextOptions = {},
): string {
  // Concatenation, not push(...rules): a 10k-service nat table has more rules than a call has arguments.
  const decl = (c: string): string => `:${c} - [0:0]`;
  const declared = [...t.chains, ...(extra.chains ?? []), ...t.deleted, ...(extra.deleted ?? [])];
  const extraRules = extra.rules ?? [];
  let head: string[] = [`*${t.table}`, ...declared.map(decl), ...extraRules];
  if (opts.wholeTableCache) {
    // The inserted jumps go before the listing: listed first, iptables-nft would take the built-in
    // chains of a table that does not exist yet for existing ones, and the inserts would fail.
    const early = jumpTargets(extraRules);
    head = [`*${t.table}`];
    for (const c of declared) if (early.has(c)) head.push(decl(c));
    head = head.concat(extraRules, ['-S']);
    for (const c of declared) if (!early.has(c)) head.push(decl(c));
  }
  return head
    .concat(t.rules, t.deleted.map((c) => `-X ${c}`), (extra.deleted ?? []).map((c) => `-X ${c}`), ['COMMIT', ''])
    .join('\n');
}

/** The chains the given rule lines jump or go to (`-j NAME` / `-g NAME`). */
function jumpTargets(rules: readonly string[]): Set<string> {
  const targets = new Set<string>();
  for (const rule of rules) {
    const m = / -[jg] (\S+)/.exec(rule);
    if (m) targets.add(m[1]!);
  }
  return targets;
}

/** Collects one table's chains and rules while rendering. */
export class TableWriter {
  readonly chains: string[] = [];
  readonly rules: string[] = [];

  constructor(readonly table: TableName) {}

  declare(chain: string): void {
    this.chains.push(chain);
  }

  /** Adds lines rendered earlier (one loop: a spread would overflow the argument limit at scale). */
  appendRendered(chains: readonly string[], rules: readonly string[]): void {
    for (const c of chains) this.chains.push(c);
    for (const r of rules) this.rules.push(r);
  }

  /** Appends `-A chain args...`; arguments are already quoted where needed. */
  append(chain: string, ...args: readonly (string | readonly string[])[]): void {
    // One join over a flat word list: flat() per rule, or `+=` ropes, made rendering 10k Services slow.
    const words = ['-A', chain];
    for (const arg of args) {
      if (typeof arg === 'string') words.push(arg);
      else for (const word of arg) words.push(word);
    }
    if (words.length === 2) words.push('');
    this.rules.push(words.join(' '));
  }

  finish(deleted: readonly string[] = []): TableProgram {
    return { table: this.table, chains: this.chains, rules: this.rules, deleted };
  }
}

/** The kernel's xt_comment keeps at most 255 bytes; iptables refuses a longer comment. */
const MAX_COMMENT_BYTES = 255;

/**
 * A `--comment` argument pair, quoted as upstream quotes it (only when it holds a space). Validation keeps
 * names plain, but the renderer must never emit a line iptables-restore refuses, which would stop every
 * Service's update: control characters become spaces, `"` and `\` are escaped inside quotes (the only
 * escapes iptables-restore reads), and the text is cut to what the kernel keeps.
 */
export function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', quoteComment(text)];
}

/** `always`: quote even a comment without blanks (the userspace portals' style). */
export function quoteComment(text: string, always = false): string {
  let safe = text.replace(/[\x00-\x1f\x7f]/g, ' ');
  if (Buffer.byteLength(safe) > MAX_COMMENT_BYTES) {
    const bytes = Buffer.from(safe).subarray(0, MAX_COMMENT_BYTES);
    safe = bytes.toString('utf8').replace(/\uFFFD$/, '');
  }
  if (!always && !/[\s"\\]/.test(safe)) return safe;
  return `"${safe.replace(/["\\]/g, '\\$&')}"`;
}
