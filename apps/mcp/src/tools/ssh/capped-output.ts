/**
 * Collects one stream of a remote command up to `capBytes`; counts everything that arrived so
 * the audit can say how much the command really produced (docs/security.md RS-30).
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte received, kept or not. */
  received = 0;
  truncated = false;

  constructor(private readonly capBytes: number) {}

  /** Returns true once the cap has been exceeded. */
  push(chunk: Buffer): boolean {
    this.received += chunk.length;
    const room = this.capBytes - this.kept;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.kept = this.capBytes;
      this.truncated = true;
    } else {
      this.chunks.push(chunk);
      this.kept += chunk.length;
    }
    return this.truncated;
  }

  /** UTF-8 text; a character cut by the cap becomes U+FFFD, and a marker says where it was cut. */
  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${body}\n[output truncated at ${this.capBytes} bytes]` : body;
  }
}
