// One bad service port must not hold every other Service back. Validation and the renderers' quoting
// should keep a tool from ever refusing a program, but if one still does (a kernel without some module, a
// value no check foresaw), a whole-program apply fails for everyone. So after a failed apply the service
// ports that changed since the last good apply are bisected with real applies (each a full rewrite, which
// every executor makes all-or-nothing: a refused one leaves the previous program in force). The versions
// the tool refuses are held back: such a port keeps the version last applied, or stays unserved when it
// had none, and is named in an error; the rest is applied. A held-back version is not tried again; the
// port's next version (the model changed it) is.

import { deepEqual } from '../model/deep-equal.js';
import { FrozenSet } from '../model/frozen-collections.js';
import { SortedKeyMap } from '../model/sorted-key-map.js';
import type { IPFamily, ServicePort, ServicePortKey, Snapshot } from '../model/types.js';

const FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

/** Applies at most this many trial programs per failed sync; what is still untested then waits for the next. */
export const MAX_TRIALS = 40;

/** One service port in one family. */
export interface PortRef {
  readonly family: IPFamily;
  readonly key: ServicePortKey;
}

export interface HeldPort extends PortRef {
  /** The version the tool refused. */
  readonly port: ServicePort;
  /** The tool's error for a program with this version. */
  readonly reason: string;
  /** True when an older version of the port is in force instead; false when the port is not served. */
  readonly keptOlder: boolean;
  /** False when the trial budget ran out before this version was tried alone: left out of this sync only. */
  readonly tried: boolean;
}

/** Applies one full program built from `snapshot`; returns the error when the tool refused it. */
export type TrialApply = (snapshot: Snapshot) => Promise<Error | undefined>;

export interface Isolation {
  /** The snapshot now in force. */
  readonly applied: Snapshot;
  /** The versions held back by this isolation. */
  readonly held: readonly HeldPort[];
}

function refId(family: IPFamily, key: ServicePortKey): string {
  return `${family}|${key}`;
}

/** `snapshot` with some ports replaced (null: left out); `changed` also names every replaced key. */
function withReplacements(snapshot: Snapshot, replace: ReadonlyMap<string, { ref: PortRef; port: ServicePort | null }>): Snapshot {
  if (replace.size === 0) return snapshot;
  const updates = { IPv4: new Map<ServicePortKey, ServicePort | null>(), IPv6: new Map<ServicePortKey, ServicePort | null>() };
  for (const { ref, port } of replace.values()) updates[ref.family].set(ref.key, port);
  const families = { ...snapshot.families };
  for (const family of FAMILIES) {
    if (updates[family].size === 0) continue;
    const ports = snapshot.families[family].servicePorts;
    const next = ports instanceof SortedKeyMap ? ports.withUpdates(updates[family]) : SortedKeyMap.empty<ServicePort>().withUpdates(new Map([...ports, ...updates[family]]));
    families[family] = Object.freeze({ family, servicePorts: next });
  }
  const changed = new Set(snapshot.changed);
  for (const { ref } of replace.values()) changed.add(ref.key);
  return Object.freeze({ ...snapshot, families: Object.freeze(families), changed: new FrozenSet(changed) });
}

function lastVersion(lastGood: Snapshot | undefined, ref: PortRef): ServicePort | null {
  return lastGood?.families[ref.family].servicePorts.get(ref.key) ?? null;
}

export class PortQuarantine {
  readonly #held = new Map<string, HeldPort>();

  held(): readonly HeldPort[] {
    return [...this.#held.values()];
  }

  /**
   * The snapshot to apply: each held port whose version is still the refused one is replaced by the
   * version last applied (or left out). A held port the model has changed since is released and tried.
   * Released ports are returned so the caller can say they are tried again.
   */
  filter(snapshot: Snapshot, lastGood: Snapshot | undefined): { snapshot: Snapshot; released: PortRef[] } {
    if (this.#held.size === 0) return { snapshot, released: [] };
    const replace = new Map<string, { ref: PortRef; port: ServicePort | null }>();
    const released: PortRef[] = [];
    for (const [id, held] of this.#held) {
      const current = snapshot.families[held.family].servicePorts.get(held.key);
      if (current !== undefined && (current === held.port || deepEqual(current, held.port))) {
        replace.set(id, { ref: held, port: lastVersion(lastGood, held) });
      } else {
        this.#held.delete(id);
        released.push(held);
      }
    }
    const changed = new Set(snapshot.changed);
    for (const ref of released) changed.add(ref.key);
    const base = released.length > 0 ? Object.freeze({ ...snapshot, changed: new FrozenSet(changed) }) : snapshot;
    return { snapshot: withReplacements(base, replace), released };
  }

  /**
   * After `snapshot` failed to apply with `failure`: finds the ports whose new versions the tool refuses
   * by applying trial programs, holds them back and leaves the rest applied. Returns undefined when the
   * failure is not a port's (the program fails even with every changed port at its last applied version).
   */
  async isolate(snapshot: Snapshot, lastGood: Snapshot | undefined, failure: Error, tryApply: TrialApply): Promise<Isolation | undefined> {
    const suspects: { id: string; ref: PortRef; port: ServicePort }[] = [];
    for (const family of FAMILIES) {
      for (const [key, port] of snapshot.families[family].servicePorts) {
        if (lastVersion(lastGood, { family, key }) !== port) suspects.push({ id: refId(family, key), ref: { family, key }, port });
      }
    }
    if (suspects.length === 0) return undefined;
    const revert = (group: readonly (typeof suspects)[number][]) => new Map(group.map((s) => [s.id, { ref: s.ref, port: lastVersion(lastGood, s.ref) }]));
    let trials = 0;
    let lastTrialOk = false;
    const trial = async (excluded: readonly (typeof suspects)[number][]): Promise<{ snapshot: Snapshot; error: Error | undefined }> => {
      trials++;
      const candidate = withReplacements(snapshot, revert(excluded));
      const error = await tryApply(candidate);
      lastTrialOk = error === undefined;
      return { snapshot: candidate, error };
    };

    const baseline = await trial(suspects);
    if (baseline.error) return undefined;
    let applied = baseline.snapshot;
    // Adaptive group testing: a group that applies together with the ports accepted so far is accepted;
    // a refused group is split until single refused ports remain.
    const accepted = new Set<string>();
    const bad: { suspect: (typeof suspects)[number]; reason: string; tried: boolean }[] = [];
    /** Returns whether the whole group was accepted. */
    const search = async (group: (typeof suspects)[number][], knownError?: Error): Promise<boolean> => {
      let error = knownError;
      if (!error) {
        if (trials >= MAX_TRIALS) {
          for (const s of group) bad.push({ suspect: s, reason: `not tried: isolation stopped after ${MAX_TRIALS} trial applies`, tried: false });
          return false;
        }
        const inGroup = new Set(group.map((s) => s.id));
        const result = await trial(suspects.filter((s) => !accepted.has(s.id) && !inGroup.has(s.id)));
        if (!result.error) {
          for (const s of group) accepted.add(s.id);
          applied = result.snapshot;
          return true;
        }
        error = result.error;
      }
      if (group.length === 1) {
        bad.push({ suspect: group[0]!, reason: error.message, tried: true });
        return false;
      }
      const half = Math.ceil(group.length / 2);
      const firstAccepted = await search(group.slice(0, half));
      // The group failed and its first half did not: the second half fails with it, no need to try.
      await search(group.slice(half), firstAccepted ? error : undefined);
      return false;
    };
    // The whole change is known to fail: that is why we are here.
    await search(suspects, failure);
    if (!lastTrialOk) {
      const final = await trial(suspects.filter((s) => !accepted.has(s.id)));
      if (final.error) return undefined;
      applied = final.snapshot;
    }
    const held = bad.map(({ suspect, reason, tried }): HeldPort => ({ ...suspect.ref, port: suspect.port, reason, tried, keptOlder: lastVersion(lastGood, suspect.ref) !== null }));
    // Untried versions are left out of this sync only: the next one starts from what was accepted now.
    for (const h of held) if (h.tried) this.#held.set(refId(h.family, h.key), h);
    return { applied, held };
  }
}
