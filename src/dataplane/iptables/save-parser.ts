// Reads iptables-save output: which chains each table holds and the rules of each chain. The executor
// uses it to find missing jump rules and stale service chains; cleanup uses it to find everything ours.

export interface SavedTable {
  readonly chains: Set<string>;
  /** Rule specs (text after `-A CHAIN `) per chain, in order. */
  readonly rules: Map<string, string[]>;
}

export type SavedTables = Map<string, SavedTable>;

export function parseIptablesSave(text: string): SavedTables {
  const tables: SavedTables = new Map();
  let current: SavedTable | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('*')) {
      current = { chains: new Set(), rules: new Map() };
      tables.set(line.slice(1), current);
    } else if (!current || line === 'COMMIT' || line.startsWith('#') || line === '') {
      continue;
    } else if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0];
      if (name) current.chains.add(name);
    } else if (line.startsWith('-A ')) {
      const rest = line.slice(3);
      const space = rest.indexOf(' ');
      const chain = space < 0 ? rest : rest.slice(0, space);
      const spec = space < 0 ? '' : rest.slice(space + 1);
      let list = current.rules.get(chain);
      if (!list) current.rules.set(chain, (list = []));
      list.push(spec);
    }
  }
  return tables;
}

/** The jump target of a rule spec (`-j NAME`), if any. */
export function jumpTarget(spec: string): string | undefined {
  const m = /(?:^|\s)-j\s+(\S+)/.exec(spec);
  return m?.[1];
}

/**
 * One table of `iptables-save -t TABLE` output, reading only what a full sync needs: every chain name
 * (stale service chains) and the rules of `rulesOf` (the built-in chains holding our jumps). Skipping the
 * 100k+ service rules of a large nat table keeps this a scan instead of a parse.
 */
export function parseSavedChains(text: string, rulesOf: ReadonlySet<string>): SavedTable {
  const table: SavedTable = { chains: new Set(), rules: new Map() };
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const first = text.charCodeAt(at);
    if (first === 58 /* ':' */) {
      const space = text.indexOf(' ', at);
      const name = text.slice(at + 1, space < 0 || space > end ? end : space);
      if (name) table.chains.add(name);
    } else if (first === 45 /* '-' */ && text.startsWith('-A ', at)) {
      let space = text.indexOf(' ', at + 3);
      if (space < 0 || space > end) space = end;
      const chain = text.slice(at + 3, space);
      if (rulesOf.has(chain)) {
        let list = table.rules.get(chain);
        if (!list) table.rules.set(chain, (list = []));
        list.push(text.slice(Math.min(space + 1, end), end).trimEnd());
      }
    }
    at = end + 1;
  }
  return table;
}
