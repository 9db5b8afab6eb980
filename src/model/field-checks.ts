// Collects the validation errors of one object. Every check names the field path and says what was
// received and what is allowed, so the message alone is enough to fix the manifest.

import { BlockList, isIP } from 'node:net';
import { InputError } from './input-error.js';

export interface ObjectRef {
  origin: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shows a received value in a message: strings quoted, everything else as JSON, long values cut. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The family of an IP address, or 0. node:net also accepts an IPv6 zone ("fe80::1%eth0"), which the API
 * server (Go's net.ParseIP) refuses and which no rule can carry, so a zone makes it invalid here.
 */
export function ipFamily(value: string): 0 | 4 | 6 {
  return value.includes('%') ? 0 : (isIP(value) as 0 | 4 | 6);
}

/** Splits "addr/prefix" and checks both halves with node:net; returns the family or 0 when invalid. */
export function cidrFamily(cidr: string): 4 | 6 | 0 {
  const slash = cidr.indexOf('/');
  if (slash < 0) return 0;
  const addr = cidr.slice(0, slash);
  const prefixText = cidr.slice(slash + 1);
  const family = ipFamily(addr);
  if (family === 0 || !/^\d{1,3}$/.test(prefixText)) return 0;
  const prefix = Number(prefixText);
  try {
    new BlockList().addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return 0;
  }
  return family === 4 ? 4 : 6;
}

export class FieldChecks {
  readonly errors: InputError[] = [];
  /** Problems that do not refuse the object (a part kproxy ignores, as upstream does); said once, not silently. */
  readonly warnings: InputError[] = [];

  constructor(private readonly ref: ObjectRef) {}

  fail(field: string | undefined, reason: string, code: 'KPROXY_INVALID' | 'KPROXY_KIND' = 'KPROXY_INVALID'): void {
    this.errors.push(new InputError({ code, ...this.ref, field, reason }));
  }

  warn(field: string, reason: string): void {
    this.warnings.push(new InputError({ code: 'KPROXY_UNSUPPORTED', ...this.ref, field, reason }));
  }

  /** A non-empty string in the format `problem` checks (see name-checks.ts); records why it is not. */
  format(field: string, value: string | undefined, problem: (v: string) => string | undefined): boolean {
    if (value === undefined || value === '') return true;
    const why = problem(value);
    if (why) this.fail(field, `got ${show(value)}, ${why}`);
    return why === undefined;
  }

  /** Returns the value when it is one of `allowed` (or absent); records an error otherwise. */
  oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(field, `got ${show(value)}, allowed: ${allowed.join(', ')}`);
    return undefined;
  }

  /** An integer in [min, max] when present. Returns whether the value is acceptable. */
  intInRange(field: string, value: unknown, min: number, max: number): boolean {
    if (value === undefined || value === null) return true;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return true;
    this.fail(field, `got ${show(value)}, must be an integer from ${min} to ${max}`);
    return false;
  }

  /** An IP address (family 4 or 6, or either when `family` is 0). Returns the family, or 0. */
  ip(field: string, value: unknown, family: 0 | 4 | 6 = 0): 0 | 4 | 6 {
    const got = typeof value === 'string' ? ipFamily(value) : 0;
    if (got !== 0 && (family === 0 || family === got)) return got;
    const want = family === 0 ? 'an IPv4 or IPv6 address' : `an IPv${family} address`;
    this.fail(field, `got ${show(value)}, must be ${want}`);
    return 0;
  }

  cidr(field: string, value: unknown): 0 | 4 | 6 {
    const family = typeof value === 'string' ? cidrFamily(value.trim()) : 0;
    if (family === 0) this.fail(field, `got ${show(value)}, must be a CIDR such as 10.0.0.0/8 or fd00::/64`);
    return family;
  }

  /** An array when present; records an error and returns [] otherwise. */
  array(field: string, value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.fail(field, `got ${show(value)}, must be a list`);
    return [];
  }

  record(field: string, value: unknown): Json | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.fail(field, `got ${show(value)}, must be a mapping`);
    return undefined;
  }

  /** A list entry that must be a mapping: unlike an absent field, an empty (null) entry is an error. */
  entry(field: string, value: unknown): Json | undefined {
    if (value === undefined || value === null) {
      this.fail(field, 'is empty, must be a mapping');
      return undefined;
    }
    return this.record(field, value);
  }

  string(field: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    this.fail(field, `got ${show(value)}, must be a string`);
    return undefined;
  }

  boolean(field: string, value: unknown): void {
    if (value !== undefined && value !== null && typeof value !== 'boolean') {
      this.fail(field, `got ${show(value)}, must be true or false`);
    }
  }

  /** A map of string to string (labels, annotations). */
  stringMap(field: string, value: unknown): void {
    const map = this.record(field, value);
    if (!map) return;
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') this.fail(`${field}[${show(k)}]`, `got ${show(v)}, must be a string`);
    }
  }
}
