// A source feeds API objects into the model. The file source (--from) and the Kubernetes API source both
// implement Source; the model implements SourceSink. Sources never validate semantics themselves: they
// report what they could not read, and the sink decides what an object means.

import type { SourceSink } from '../model/source-sink.js';

export type { SourceSink } from '../model/source-sink.js';

export interface Source {
  readonly name: string;
  /** Deliver the initial state, then keep delivering changes until stop(). Resolves once started. */
  start(sink: SourceSink): Promise<void>;
  stop(): Promise<void>;
}
