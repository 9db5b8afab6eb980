// The name formats the Kubernetes API server enforces (apimachinery's validation package): object names,
// namespaces, port names, label keys and values. A manifest file has no API server in front of it, and
// these names end up in rule comments, chain-name hashes and log lines, so kproxy checks them itself.
// Each check returns why the value is invalid, or undefined when it is valid.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME_CHARS = /^[-a-z0-9]+$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;
const SVC_NAME_MAX = 15;

function tooLong(value: string, max: number): string | undefined {
  return value.length > max ? `is ${value.length} characters long, at most ${max} are allowed` : undefined;
}

/** RFC 1123 label: namespaces, EndpointSlice port names, endpoint hostnames. */
export function dns1123LabelProblem(value: string): string | undefined {
  return (
    tooLong(value, LABEL_MAX) ??
    (DNS1123_LABEL.test(value) ? undefined : 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit')
  );
}

/** RFC 1035 label: Service names (they become DNS names, so they must start with a letter). */
export function dns1035LabelProblem(value: string): string | undefined {
  return (
    tooLong(value, LABEL_MAX) ??
    (DNS1035_LABEL.test(value) ? undefined : 'must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit')
  );
}

/** RFC 1123 subdomain: EndpointSlice and Node names, label-key prefixes. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  const long = tooLong(value, SUBDOMAIN_MAX);
  if (long) return long;
  const ok = value.split('.').every((part) => DNS1123_LABEL.test(part));
  return ok ? undefined : 'must be a DNS-1123 subdomain: dot-separated parts of lower-case letters, digits and "-", each starting and ending with a letter or digit';
}

/** IANA_SVC_NAME (RFC 6335): Service port names. */
export function ianaServiceNameProblem(value: string): string | undefined {
  const long = tooLong(value, SVC_NAME_MAX);
  if (long) return long;
  if (!IANA_SVC_NAME_CHARS.test(value)) return 'must be an IANA service name: only lower-case letters, digits and "-"';
  if (!/[a-z]/.test(value)) return 'must be an IANA service name: at least one letter';
  if (value.includes('--')) return 'must be an IANA service name: no two "-" in a row';
  if (value.startsWith('-') || value.endsWith('-')) return 'must be an IANA service name: may not start or end with "-"';
  return undefined;
}

/** A label or annotation key: an optional DNS subdomain prefix and "/", then a name of at most 63 characters. */
export function qualifiedNameProblem(value: string): string | undefined {
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== undefined) {
    const problem = prefix === '' ? 'is empty' : dns1123SubdomainProblem(prefix);
    if (problem) return `has a prefix that ${problem}`;
  }
  if (name === '') return 'has an empty name part';
  return (
    tooLong(name, LABEL_MAX) ??
    (QUALIFIED_NAME.test(name) ? undefined : 'must be a qualified name: letters, digits, "-", "_" and ".", starting and ending with a letter or digit')
  );
}

/** A label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending alphanumeric. */
export function labelValueProblem(value: string): string | undefined {
  return (
    tooLong(value, LABEL_MAX) ??
    (LABEL_VALUE.test(value) ? undefined : 'must be a label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit')
  );
}
