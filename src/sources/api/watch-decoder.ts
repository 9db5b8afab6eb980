// A watch response is a stream of JSON values, one per line (the API server's JSON encoder writes a
// newline after each event). Chunks split lines anywhere, so the unfinished tail waits for the next chunk.

export class JsonLineDecoder {
  private rest = '';

  constructor(private readonly what: string) {}

  /** Values completed by this chunk, in order. Throws on a line that is not JSON: the stream is corrupt. */
  push(chunk: string): unknown[] {
    this.rest += chunk;
    const lines = this.rest.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '').map((l) => this.parse(l));
  }

  /** The stream ended: a last value without a trailing newline still counts. */
  end(): unknown[] {
    const last = this.rest;
    this.rest = '';
    return last.trim() === '' ? [] : [this.parse(last)];
  }

  private parse(line: string): unknown {
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`${this.what}: got ${JSON.stringify(line.slice(0, 80))}, expected one JSON event per line`);
    }
  }
}
