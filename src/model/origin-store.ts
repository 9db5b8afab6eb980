// Decides which origin's version of an object is in force. The first origin to offer an object holds it;
// another origin offering the same kind/namespace/name waits (and is reported) until the holder lets go,
// then the earliest waiting offer takes over. Only changes to the object in force are passed on.

import { deepEqual } from './deep-equal.js';
import type { KubeObject, ObjectKind } from './objects.js';

export function objectId(kind: ObjectKind, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export interface OriginStoreEvents {
  /** The object in force for `id` changed (undefined: there is none any more). Never called for no-ops. */
  applied(id: string, previous: KubeObject | undefined, current: KubeObject | undefined): void;
  /** `origin` offered `id`, which `holder` already holds. */
  conflicted(origin: string, holder: string, id: string, object: KubeObject): void;
  /** `origin` no longer waits for `id` (it took over, or withdrew its offer). */
  unblocked(origin: string, id: string): void;
}

interface Offers {
  holder: string;
  object: KubeObject;
  /** Other origins offering the same object, in arrival order. Rare, so created on demand. */
  waiting?: Map<string, KubeObject>;
}

export class OriginStore {
  readonly #offers = new Map<string, Offers>();
  readonly #byOrigin = new Map<string, Set<string>>();

  constructor(private readonly events: OriginStoreEvents) {}

  holderOf(id: string): string | undefined {
    return this.#offers.get(id)?.holder;
  }

  current(id: string): KubeObject | undefined {
    return this.#offers.get(id)?.object;
  }

  /** Object ids `origin` currently offers (held or waiting). */
  idsOf(origin: string): ReadonlySet<string> {
    return this.#byOrigin.get(origin) ?? new Set();
  }

  offer(origin: string, id: string, object: KubeObject): void {
    this.#track(origin, id);
    const offers = this.#offers.get(id);
    if (!offers) {
      this.#offers.set(id, { holder: origin, object });
      this.events.applied(id, undefined, object);
    } else if (offers.holder === origin) {
      const previous = offers.object;
      offers.object = object;
      if (!deepEqual(previous, object)) this.events.applied(id, previous, object);
    } else {
      (offers.waiting ??= new Map()).set(origin, object);
      this.events.conflicted(origin, offers.holder, id, object);
    }
  }

  withdraw(origin: string, id: string): void {
    const offers = this.#offers.get(id);
    if (!offers || !this.#byOrigin.get(origin)?.delete(id)) return;
    if (offers.holder !== origin) {
      offers.waiting?.delete(origin);
      this.events.unblocked(origin, id);
      return;
    }
    const previous = offers.object;
    const next = offers.waiting?.entries().next().value;
    if (next === undefined) {
      this.#offers.delete(id);
      this.events.applied(id, previous, undefined);
      return;
    }
    const [successor, object] = next;
    offers.waiting?.delete(successor);
    offers.holder = successor;
    offers.object = object;
    this.events.unblocked(successor, id);
    if (!deepEqual(previous, object)) this.events.applied(id, previous, object);
  }

  #track(origin: string, id: string): void {
    let ids = this.#byOrigin.get(origin);
    if (!ids) {
      ids = new Set();
      this.#byOrigin.set(origin, ids);
    }
    ids.add(id);
  }
}
