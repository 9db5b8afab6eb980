// What the model accepts from a source (the file source, the API source). The arrow points from sources to
// the model: sources deliver raw objects here; the model decides what they mean.

import type { InputError } from './input-error.js';
import type { KubeObject, ObjectKind } from './objects.js';

export interface SourceSink {
  /**
   * Replace everything `origin` contributed with `objects`. An origin is one file for the file source, or
   * one resource type of the API source on (re)list. Objects missing from the new set are deleted.
   */
  replace(origin: string, objects: readonly KubeObject[]): void;
  upsert(origin: string, object: KubeObject): void;
  remove(origin: string, kind: ObjectKind, namespace: string | undefined, name: string): void;
  /** Something could not be read or was rejected; whatever `origin` had before stays in force. */
  reportError(error: InputError): void;
  /** `source` has delivered its initial state; nothing is programmed until every source has. */
  synced(source: string): void;
}
