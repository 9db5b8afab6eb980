// The limits that keep one bad manifest file cheap. Without them a 5 MB file of random bytes cost hundreds
// of errors, megabytes of log (the YAML parser quotes whole tokens, control bytes and all) and a hundred MB
// of memory. A file is refused before parsing when it is too large or not text; a file that does parse
// badly reports a bounded number of errors, each quoting a short, printable excerpt.

import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * The largest manifest file read. The API server refuses request bodies over 3 MiB too, and parsing YAML
 * costs about 60 times the file's size in memory; larger sets of objects belong in several files (each
 * file is its own origin, so they also reload independently).
 */
export const MAX_MANIFEST_BYTES = 3 * 1024 * 1024;

/** Errors reported per file; the rest are counted in one last error. */
export const MAX_ERRORS_PER_FILE = 10;

/** Characters of the input an error message may quote. */
export const MAX_EXCERPT_CHARS = 160;

/** A file's text, or why it is not read as a manifest. Either way `hash` changes when the content does. */
export type ManifestRead = { text: string; hash: string } | { problem: string; hash: string };

/** Reads `file` unless it is larger than `maxBytes`, holds binary data or is not UTF-8. */
export async function readManifest(file: string, maxBytes: number): Promise<ManifestRead> {
  const handle = await open(file, 'r');
  let bytes: Buffer;
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return { problem: tooLarge(size, maxBytes), hash: `size ${size}` };
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  if (bytes.length > maxBytes) return { problem: tooLarge(bytes.length, maxBytes), hash: `size ${bytes.length}` };
  const hash = createHash('sha256').update(bytes).digest('hex');
  // A NUL never appears in YAML or JSON text; finding one early spares parsing megabytes of noise.
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: `holds binary data (a NUL byte at offset ${nul}); a manifest is YAML or JSON text`, hash };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), hash };
  } catch {
    return { problem: 'is not UTF-8 text; a manifest is YAML or JSON text', hash };
  }
}

function tooLarge(size: number, maxBytes: number): string {
  const mib = (maxBytes / (1024 * 1024)).toFixed(maxBytes % (1024 * 1024) === 0 ? 0 : 1);
  return `is ${size} bytes, more than the ${maxBytes} (${mib} MiB) a manifest file may have; split its objects across several files`;
}

/** At most `max` characters of `text`, control characters and lone surrogates escaped, and how much was cut. */
export function printableExcerpt(text: string, max = MAX_EXCERPT_CHARS): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const shown = UNPRINTABLE.test(ch) ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    if (out.length + shown.length > max) break;
    out += shown;
    used += ch.length;
  }
  return used < text.length ? `${out}... (${text.length - used} more characters)` : out;
}

const UNPRINTABLE = /^[\p{Cc}\p{Cs}\ufffd]$/u;
