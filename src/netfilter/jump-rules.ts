// The rules in built-in chains (PREROUTING, INPUT, FORWARD, ...) that send traffic into a mode's own
// chains. Other software shares the built-in chains, so a mode never rewrites them: it inserts each jump
// once, when an iptables-save listing shows it missing, and matches the listing by this exact text.

import type { TableName } from './restore-writer.js';

export interface JumpRule {
  readonly table: TableName;
  /** The built-in chain holding the jump. */
  readonly from: string;
  readonly to: string;
  /** Matches before the comment (e.g. only new connections); none when left out. */
  readonly match?: readonly string[];
  /** '' for kubelet's rules, which carry none. */
  readonly comment: string;
}

/** The rule spec of a jump as iptables-save prints it (after `-A CHAIN`). */
export function jumpRuleSpec(j: JumpRule): string {
  const parts = [...(j.match ?? [])];
  if (j.comment) parts.push('-m', 'comment', '--comment', `"${j.comment}"`);
  parts.push('-j', j.to);
  return parts.join(' ');
}
