// Rule text → a small list of expressions, for the packet tracer (tracer.ts). Only the nft grammar the
// renderer writes is understood (see fixed-structure.ts and pick-chains.ts); any other word throws
// TraceUnsupported, so the tracer fails closed instead of skipping a match it cannot read.

import { TraceUnsupported } from '../../explain/trace.js';

/** A value the packet path computes. */
export type ValueExpr =
  | { readonly kind: 'addr'; readonly which: 'saddr' | 'daddr' }
  | { readonly kind: 'l4proto' }
  | { readonly kind: 'dport' }
  | { readonly kind: 'mark' }
  | { readonly kind: 'iifname' }
  | { readonly kind: 'fibType'; readonly which: 'saddr' | 'daddr' }
  | { readonly kind: 'ctState' }
  | { readonly kind: 'ctStatus' }
  /** numgen random|inc mod n offset o: any slot in [o, o+n). */
  | { readonly kind: 'numgen'; readonly mod: number; readonly offset: number }
  /** jhash ADDR mod n seed s offset o: one slot in [o, o+n), fixed by the address. */
  | { readonly kind: 'jhash'; readonly of: ValueExpr; readonly mod: number; readonly offset: number }
  | { readonly kind: 'concat'; readonly parts: readonly ValueExpr[] }
  | { readonly kind: 'binop'; readonly op: '&' | '|' | '^'; readonly left: ValueExpr; readonly constant: string };

/** A verdict a rule or a verdict-map element ends with. */
export type Verdict =
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  | { readonly kind: 'return' | 'drop' | 'accept' }
  /** No verdict: the next statement or rule runs (a rule that is only a counter). */
  | { readonly kind: 'continue' };

export type Statement =
  /** `value == constant`, `value != constant` (CIDRs, globs and numbers included) or `value [!=] @set`. */
  | { readonly kind: 'compare'; readonly value: ValueExpr; readonly negate: boolean; readonly constant?: readonly string[]; readonly set?: string }
  | { readonly kind: 'vmap'; readonly value: ValueExpr; readonly map?: string; readonly inline?: readonly { key: string; verdict: Verdict }[] }
  | { readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly kind: 'reject' }
  | { readonly kind: 'masquerade' }
  | { readonly kind: 'setMark'; readonly value: ValueExpr }
  | { readonly kind: 'dnatMap'; readonly key: ValueExpr; readonly map: string }
  | { readonly kind: 'update'; readonly set: string; readonly key: ValueExpr };

const parsed = new Map<string, readonly Statement[]>();

/** The statements of one rule, in order; cached, since every group chain's text repeats. */
export function parseRule(text: string): readonly Statement[] {
  let out = parsed.get(text);
  if (!out) {
    out = new RuleParser(text).statements();
    parsed.set(text, out);
  }
  return out;
}

/** Parses a verdict as a map element's value spells it ("goto chain", "drop"). */
export function parseVerdict(text: string): Verdict {
  const p = new RuleParser(text);
  const v = p.verdict();
  if (!v || !p.done()) throw new TraceUnsupported(`nft verdict not modelled: ${JSON.stringify(text)}`);
  return v;
}

/** Words, quoted strings and brace groups ("{ ... }" as one token, braces kept). */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\{[^{}]*\}|"[^"]*"|\S+/g;
  for (const m of text.matchAll(re)) tokens.push(m[0]);
  return tokens;
}

class RuleParser {
  private readonly tokens: string[];
  private at = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  private peek(ahead = 0): string | undefined {
    return this.tokens[this.at + ahead];
  }

  private next(): string {
    const t = this.tokens[this.at++];
    if (t === undefined) this.fail('rule ends early');
    return t;
  }

  private expect(word: string): void {
    const t = this.next();
    if (t !== word) this.fail(`expected "${word}", got "${t}"`);
  }

  private fail(why: string): never {
    throw new TraceUnsupported(`nft rule not modelled (${why}): ${this.text}`);
  }

  private number(): number {
    const t = this.next();
    const n = Number(t);
    if (!Number.isInteger(n)) this.fail(`expected a number, got "${t}"`);
    return n;
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    while (!this.done()) out.push(this.statement());
    return out;
  }

  verdict(): Verdict | undefined {
    const t = this.peek();
    if (t === 'jump' || t === 'goto') {
      this.at++;
      return { kind: t, chain: this.next() };
    }
    if (t === 'return' || t === 'drop' || t === 'accept') {
      this.at++;
      return { kind: t };
    }
    return undefined;
  }

  private statement(): Statement {
    const verdict = this.verdict();
    if (verdict) return { kind: 'verdict', verdict };
    const t = this.peek()!;
    if (t === 'counter') {
      // Counting changes nothing about the packet; skip the counts `nft list` prints after it.
      this.at++;
      while (this.peek() === 'packets' || this.peek() === 'bytes') this.at += 2;
      return this.done() ? { kind: 'verdict', verdict: { kind: 'continue' } } : this.statement();
    }
    if (t === 'reject') {
      this.at++;
      if (this.peek() === 'with') {
        this.at++;
        // Only the TCP reset the renderer writes; ICMP types would be a different answer to model.
        if (this.next() !== 'tcp' || this.next() !== 'reset') this.fail('reject type');
      }
      return { kind: 'reject' };
    }
    if (t === 'masquerade') {
      this.at++;
      if (this.peek() === 'fully-random' || this.peek() === 'random' || this.peek() === 'persistent') this.at++;
      return { kind: 'masquerade' };
    }
    if (t === 'dnat') {
      this.at++;
      const family = this.next();
      if (family !== 'ip' && family !== 'ip6') this.fail('dnat family');
      this.expect('to');
      const key = this.value();
      this.expect('map');
      return { kind: 'dnatMap', key, map: this.setName() };
    }
    if (t === 'update') {
      this.at++;
      const set = this.setName();
      const inner = this.next();
      if (!inner.startsWith('{')) this.fail('update without element');
      // The element expression and its timeout; the timeout matters for later packets only.
      const body = new RuleParser(inner.slice(1, -1));
      const key = body.value();
      if (body.peek() === 'timeout') {
        body.at += 2;
      }
      if (!body.done()) this.fail(`update element "${inner}"`);
      return { kind: 'update', set, key };
    }
    if (t === 'meta' && this.peek(1) === 'mark' && this.peek(2) === 'set') {
      this.at += 3;
      return { kind: 'setMark', value: this.value() };
    }
    return this.match();
  }

  private setName(): string {
    const t = this.next();
    if (!t.startsWith('@')) this.fail(`expected a named set, got "${t}"`);
    return t.slice(1);
  }

  private match(): Statement {
    const value = this.value();
    const t = this.peek();
    if (t === 'vmap') {
      this.at++;
      const target = this.next();
      if (target.startsWith('@')) return { kind: 'vmap', value, map: target.slice(1) };
      if (!target.startsWith('{')) this.fail('vmap target');
      const inline = target
        .slice(1, -1)
        .split(',')
        .map((pair) => {
          const [key = '', verdict = ''] = pair.split(' : ').map((s) => s.trim());
          return { key, verdict: parseVerdict(verdict) };
        });
      return { kind: 'vmap', value, inline };
    }
    let negate = false;
    if (t === '!=' || t === '==') {
      this.at++;
      negate = t === '!=';
    }
    const rhs = this.next();
    if (rhs.startsWith('@')) return { kind: 'compare', value, negate, set: rhs.slice(1) };
    if (rhs.startsWith('{') || rhs === 'vmap' || rhs === 'map') this.fail(`right-hand side "${rhs}"`);
    const constant = [rhs];
    while (this.peek() === '.') {
      this.at++;
      constant.push(this.next());
    }
    return { kind: 'compare', value, negate, constant };
  }

  /** A concatenation of primaries, each optionally combined with a constant (`meta mark & 0x4000`). */
  value(): ValueExpr {
    const parts = [this.operand()];
    while (this.peek() === '.') {
      this.at++;
      parts.push(this.operand());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'concat', parts };
  }

  private operand(): ValueExpr {
    const left = this.primary();
    const op = this.peek();
    if (op === '&' || op === '|' || op === '^') {
      this.at++;
      return { kind: 'binop', op, left, constant: this.next() };
    }
    return left;
  }

  private primary(): ValueExpr {
    const t = this.next();
    switch (t) {
      case 'ip':
      case 'ip6': {
        const which = this.next();
        if (which !== 'saddr' && which !== 'daddr') this.fail(`${t} ${which}`);
        return { kind: 'addr', which };
      }
      case 'th': {
        const field = this.next();
        if (field !== 'dport') this.fail(`th ${field}`);
        return { kind: 'dport' };
      }
      case 'meta': {
        const key = this.next();
        if (key === 'l4proto') return { kind: 'l4proto' };
        if (key === 'mark') return { kind: 'mark' };
        if (key === 'iifname') return { kind: 'iifname' };
        return this.fail(`meta ${key}`);
      }
      case 'iifname':
        return { kind: 'iifname' };
      case 'fib': {
        const which = this.next();
        if (which !== 'saddr' && which !== 'daddr') this.fail(`fib ${which}`);
        this.expect('type');
        return { kind: 'fibType', which };
      }
      case 'ct': {
        const key = this.next();
        if (key === 'state') return { kind: 'ctState' };
        if (key === 'status') return { kind: 'ctStatus' };
        return this.fail(`ct ${key}`);
      }
      case 'numgen': {
        const how = this.next();
        if (how !== 'random' && how !== 'inc') this.fail(`numgen ${how}`);
        this.expect('mod');
        const mod = this.number();
        return { kind: 'numgen', mod, offset: this.offset() };
      }
      case 'jhash': {
        const of = this.primary();
        if (of.kind !== 'addr') this.fail('jhash of something other than an address');
        this.expect('mod');
        const mod = this.number();
        if (this.peek() === 'seed') this.at += 2;
        return { kind: 'jhash', of, mod, offset: this.offset() };
      }
      default:
        return this.fail(`expression "${t}"`);
    }
  }

  private offset(): number {
    if (this.peek() !== 'offset') return 0;
    this.at++;
    return this.number();
  }
}
