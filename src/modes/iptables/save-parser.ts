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
