// An error in input the operator gave us (a manifest, an API object). It names where the object came
// from, which object, which field, and why, so the message alone is enough to fix the input.

export type InputErrorCode =
  | 'KPROXY_PARSE' // the file or document could not be parsed at all
  | 'KPROXY_KIND' // a kind kproxy does not read, or a document without kind/apiVersion
  | 'KPROXY_INVALID' // a field has an invalid value
  | 'KPROXY_CONFLICT' // conflicts with another object (same name from two origins, same IP:port claimed twice)
  | 'KPROXY_UNSUPPORTED'; // valid Kubernetes, but this mode cannot serve it (e.g. SCTP in userspace)

export interface InputErrorDetails {
  code: InputErrorCode;
  /** Where the object came from: a file path (with document index) or "api". */
  origin: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** JSON-path-like field, e.g. "spec.ports[1].port". */
  field?: string;
  reason: string;
}

export class InputError extends Error {
  readonly code: InputErrorCode;
  readonly details: InputErrorDetails;

  constructor(details: InputErrorDetails) {
    super(formatInputError(details));
    this.name = 'InputError';
    this.code = details.code;
    this.details = details;
  }
}

export function formatInputError(d: InputErrorDetails): string {
  const object = d.kind ? `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name ?? '<unnamed>'}` : undefined;
  const parts = [d.origin, object, d.field].filter((p): p is string => Boolean(p));
  return `${parts.join(': ')}: ${d.reason}`;
}
