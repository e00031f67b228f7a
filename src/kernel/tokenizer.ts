// Byte-level tokenizer: token ids 0..255 are UTF-8 bytes, then BOS and EOS.

export const BOS = 256;
export const EOS = 257;
export const BYTE_VOCAB = 258;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export interface TokenizeOptions {
  /** Prepend BOS (default true): the model always sees a start token, even for an empty prompt. */
  readonly bos?: boolean;
}

export function tokenize(text: string, options: TokenizeOptions = {}): number[] {
  const ids = Array.from(encoder.encode(text));
  return options.bos === false ? ids : [BOS, ...ids];
}

/** Decodes byte tokens as UTF-8; special tokens are dropped and invalid sequences become U+FFFD. */
export function detokenize(ids: readonly number[]): string {
  const bytes = ids.filter((id) => Number.isInteger(id) && id >= 0 && id < 256);
  return decoder.decode(Uint8Array.from(bytes));
}
