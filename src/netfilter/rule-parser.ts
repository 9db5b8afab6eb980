// iptables-restore text read back into rules, for the packet tracers (`kproxy explain`): every kernel mode
// that writes iptables rules (the iptables mode, the IPVS mode's companion rules) is traced by reading the
// exact text it restores, so the tracer follows what the kernel is given, not a second model of it. The
// parser only splits a rule into matches and a target; what they mean is rule-matches.ts's business.

import { TraceUnsupported } from '../explain/trace.js';
import type { JumpRule } from './jump-rules.js';
import { jumpRuleSpec } from './jump-rules.js';

/** One option of a match module (or a plain option such as -s): `! --mark 0x4000/0x4000`. */
export interface RuleOption {
  readonly name: string;
  readonly negated: boolean;
  readonly values: readonly string[];
}

/** A match: a module (`-m mark ...`) or '' for the plain options (-s, -d, -p, -i, -o). */
export interface RuleMatch {
  readonly module: string;
  readonly options: readonly RuleOption[];
}

export interface ParsedRule {
  readonly chain: string;
  readonly matches: readonly RuleMatch[];
  /** '' when the rule has no target (it only counts packets). */
  readonly target: string;
  readonly targetOptions: readonly RuleOption[];
  /** The rule as written, for trace steps. */
  readonly text: string;
}

const PLAIN = new Map([['-s', '-s'], ['--source', '-s'], ['-d', '-d'], ['--destination', '-d'], ['-p', '-p'], ['--protocol', '-p'], ['-i', '-i'], ['--in-interface', '-i'], ['-o', '-o'], ['--out-interface', '-o']]);

/** Splits a rule line into words, reading double quotes with `\"` and `\\` as iptables-restore does. */
export function ruleWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') { i++; continue; }
    let word = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] !== '"') { word += line[i++]; continue; }
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        word += line[i++];
      }
      i++;
    }
    words.push(word);
  }
  return words;
}

/** Parses the words after `-A CHAIN`. */
export function parseRule(chain: string, words: readonly string[], text: string): ParsedRule {
  const matches: { module: string; options: RuleOption[] }[] = [];
  const plain: RuleOption[] = [];
  let current: RuleOption[] | undefined;
  let target = '';
  let targetOptions: RuleOption[] | undefined;
  let negated = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '!') { negated = true; continue; }
    const values = (): string[] => {
      const out: string[] = [];
      while (i + 1 < words.length && !words[i + 1]!.startsWith('-') && words[i + 1] !== '!') out.push(words[++i]!);
      return out;
    };
    if (PLAIN.has(w) && !targetOptions) {
      plain.push({ name: PLAIN.get(w)!, negated, values: values() });
    } else if (w === '-m' || w === '--match') {
      const module = words[++i] ?? '';
      current = [];
      matches.push({ module, options: current });
    } else if (w === '-j' || w === '--jump') {
      target = words[++i] ?? '';
      targetOptions = [];
    } else if (w === '-g' || w === '--goto') {
      throw new TraceUnsupported(`rule in ${chain} uses -g (goto), which the tracer does not model: ${text}`);
    } else if (w.startsWith('--') && (targetOptions ?? current)) {
      (targetOptions ?? current)!.push({ name: w, negated, values: values() });
    } else {
      throw new TraceUnsupported(`rule in ${chain}: cannot read "${w}": ${text}`);
    }
    negated = false;
  }
  return { chain, matches: [{ module: '', options: plain }, ...matches], target, targetOptions: targetOptions ?? [], text };
}

/** Every chain of every table a program writes, in rule order; built-in chains hold only kproxy's jumps. */
export class RuleTables {
  private readonly chains = new Map<string, ParsedRule[]>();

  /** Adds an iptables-restore input (one or more `*table ... COMMIT` blocks). */
  load(restoreText: string): this {
    let table = '';
    for (const raw of restoreText.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line === 'COMMIT' || line === '-S') continue;
      if (line.startsWith('*')) table = line.slice(1);
      else if (line.startsWith(':')) this.ensure(table, line.slice(1).split(' ')[0]!);
      else if (line.startsWith('-X ')) this.chains.delete(`${table} ${line.slice(3).trim()}`);
      else if (line.startsWith('-A ')) {
        const words = ruleWords(line);
        this.ensure(table, words[1]!).push(parseRule(words[1]!, words.slice(2), line));
      } else throw new TraceUnsupported(`cannot read restore line: ${line}`);
    }
    return this;
  }

  /**
   * The jumps a mode inserts at position 1 of built-in chains, in its insertion order (later ones end up
   * first). A target the program does not declare is created empty with the jump, as the executors do.
   */
  insertJumps(jumps: readonly JumpRule[]): this {
    for (const j of jumps) {
      this.ensure(j.table, j.to);
      const spec = jumpRuleSpec(j);
      const text = `-A ${j.from} ${spec}`;
      this.ensure(j.table, j.from).unshift(parseRule(j.from, ruleWords(spec), text));
    }
    return this;
  }

  rules(table: string, chain: string): readonly ParsedRule[] | undefined {
    return this.chains.get(`${table} ${chain}`);
  }

  private ensure(table: string, chain: string): ParsedRule[] {
    const key = `${table} ${chain}`;
    let list = this.chains.get(key);
    if (!list) this.chains.set(key, (list = []));
    return list;
  }
}
