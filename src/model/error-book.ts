// The inputs currently rejected, keyed so each can be withdrawn when its cause goes away: an object
// that later loads cleanly, an origin that is replaced, a conflict that resolves.

import type { InputError } from './input-error.js';

/** What an entry is about; decides what clears it. */
export type ErrorTopic =
  | 'invalid' // an object failed validation (cleared when that origin loads it cleanly or drops it)
  | 'reported' // a source reported a problem with an object or a whole origin
  | 'duplicate' // an origin listed the same object twice in one batch
  | 'conflict' // an object is already held by another origin
  | 'claim' // a Service port's IP:port is held by an older Service
  | 'ignored' // part of an accepted object is ignored (cleared with the object's other errors)
  | 'self-endpoint'; // an endpoint is its own Service's ClusterIP (cleared when the Service is rebuilt without one)

const SEP = '\u0000';

export function errorKey(topic: ErrorTopic, origin: string, subject: string): string {
  return `${topic}${SEP}${origin}${SEP}${subject}`;
}

/** True when `errorOrigin` is `origin` or one of its parts ("file.yaml#2" belongs to "file.yaml"). */
export function belongsToOrigin(errorOrigin: string, origin: string): boolean {
  if (errorOrigin === origin) return true;
  return errorOrigin.startsWith(origin) && '#:[ '.includes(errorOrigin.charAt(origin.length));
}

export class ErrorBook {
  readonly #entries = new Map<string, readonly InputError[]>();

  /** Stores `errors` under `key` and returns those whose message was not stored there before. */
  put(key: string, errors: readonly InputError[]): InputError[] {
    if (errors.length === 0 && !this.#entries.has(key)) return [];
    const before = new Set((this.#entries.get(key) ?? []).map((e) => e.message));
    if (errors.length === 0) this.#entries.delete(key);
    else this.#entries.set(key, errors);
    return errors.filter((e) => !before.has(e.message));
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops the origin-scoped entries (everything but cross-object conflicts) of `origin`. */
  clearOrigin(origin: string): void {
    for (const key of [...this.#entries.keys()]) {
      const [topic, keyOrigin] = key.split(SEP) as [ErrorTopic, string];
      if (topic === 'conflict' || topic === 'claim' || topic === 'self-endpoint') continue;
      if (belongsToOrigin(keyOrigin, origin)) this.#entries.delete(key);
    }
  }

  all(): InputError[] {
    return [...this.#entries.values()].flat();
  }
}
