// Order-insensitive form of an iptables-restore text: per table, chain declarations sorted, rules grouped
// by chain (order inside a chain kept) with chains sorted. Harmless reordering of services then does not
// break a golden file, while any change inside a chain does.

export function normalizeRestore(text: string): string {
  const out: string[] = [];
  let chains: string[] = [];
  let rules = new Map<string, string[]>();
  const flush = (): void => {
    out.push(...chains.sort());
    for (const name of [...rules.keys()].sort()) out.push(...(rules.get(name) ?? []));
  };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      chains = [];
      rules = new Map();
      out.push(line);
    } else if (line === 'COMMIT') {
      flush();
      out.push(line);
    } else if (line.startsWith(':')) {
      chains.push(line);
    } else {
      const chain = line.split(' ')[1] ?? '';
      const key = line.startsWith('-X') ? `~${chain}` : chain;
      rules.set(key, [...(rules.get(key) ?? []), line]);
    }
  }
  return out.join('\n') + '\n';
}
