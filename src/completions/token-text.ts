// Incremental text of a byte-level token stream, for streamed completions.

/**
 * Text of a token stream as it arrives. Tokens are bytes, and one character may span several: the streaming
 * decoder holds partial characters back, so the chunks concatenate to exactly `detokenize(tokens)`.
 */
export class TokenTextStream {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  /** New text after this token ('' while a character is incomplete, or for a special token). */
  push(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= 256) return '';
    return this.decoder.decode(Uint8Array.of(id), { stream: true });
  }

  /** What is left at the end (a dangling partial character becomes U+FFFD). */
  flush(): string {
    return this.decoder.decode();
  }
}
