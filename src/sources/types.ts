// A source feeds API objects into the model. The file source (--from) and the Kubernetes API source both
// implement Source; the model implements SourceSink. Sources never validate semantics themselves: they
// report what they could not read, and the sink decides what an object means.

import type { KubeObject, ObjectKind } from '../model/objects.js';
import type { InputError } from '../model/input-error.js';

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

export interface Source {
  readonly name: string;
  /** Deliver the initial state, then keep delivering changes until stop(). Resolves once started. */
  start(sink: SourceSink): Promise<void>;
  stop(): Promise<void>;
}
