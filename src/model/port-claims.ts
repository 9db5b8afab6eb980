// Who owns each IP:port/protocol (and node port). When two Services claim the same one, the older
// Service (earlier creationTimestamp, then lower namespace/name) keeps it and the other Service's port is
// not served. Kept incrementally so one changed Service costs work proportional to its own claims.

import type { PortClaim } from './service-ports.js';

export interface ServiceRank {
  /** creationTimestamp in ms; Infinity when unknown, so Services of unknown age yield to dated ones. */
  readonly created: number;
  /** "namespace/name" */
  readonly id: string;
}

interface Claimant {
  readonly rank: ServiceRank;
  readonly claim: PortClaim;
}

export interface ClaimLoss {
  readonly claim: PortClaim;
  /** "namespace/name" of the Service that keeps the claim. */
  readonly winner: string;
}

function before(a: ServiceRank, b: ServiceRank): boolean {
  if (a.created !== b.created) return a.created < b.created;
  return a.id < b.id;
}

export class PortClaims {
  readonly #byClaim = new Map<string, Claimant[]>();
  readonly #bySvc = new Map<string, Claimant[]>();

  /**
   * Replaces the claims of one Service. Returns the other Services that share a claim with its old or
   * new claims: who wins those claims may have changed, so they need recomputing too.
   */
  set(rank: ServiceRank, claims: readonly PortClaim[]): Set<string> {
    const affected = this.delete(rank.id);
    if (claims.length === 0) return affected;
    const mine: Claimant[] = [];
    for (const claim of claims) {
      // A Service may claim one IP:port twice (an externalIP equal to its ClusterIP); that is no conflict.
      if (mine.some((m) => m.claim.claim === claim.claim)) continue;
      const claimant = { rank, claim };
      mine.push(claimant);
      const holders = this.#byClaim.get(claim.claim);
      if (!holders) {
        this.#byClaim.set(claim.claim, [claimant]);
        continue;
      }
      for (const other of holders) affected.add(other.rank.id);
      holders.push(claimant);
    }
    this.#bySvc.set(rank.id, mine);
    return affected;
  }

  delete(id: string): Set<string> {
    const affected = new Set<string>();
    const mine = this.#bySvc.get(id);
    if (!mine) return affected;
    for (const { claim } of mine) {
      const holders = this.#byClaim.get(claim.claim);
      if (!holders) continue;
      const rest = holders.filter((h) => h.rank.id !== id);
      if (rest.length === 0) this.#byClaim.delete(claim.claim);
      else this.#byClaim.set(claim.claim, rest);
      for (const other of rest) affected.add(other.rank.id);
    }
    this.#bySvc.delete(id);
    return affected;
  }

  /** The claims of Service `id` that an older Service holds. */
  losses(id: string): ClaimLoss[] {
    const lost: ClaimLoss[] = [];
    for (const mine of this.#bySvc.get(id) ?? []) {
      const holders = this.#byClaim.get(mine.claim.claim) ?? [];
      if (holders.length < 2) continue;
      let winner = mine;
      for (const h of holders) if (before(h.rank, winner.rank)) winner = h;
      if (winner !== mine) lost.push({ claim: mine.claim, winner: winner.rank.id });
    }
    return lost;
  }
}
