/** Two hex digits per byte value: formatting by table lookup (this runs for every created workload). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex16(word: number): string {
  return HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
}

/**
 * UUIDs derived from text (RFC 9562 version 8, "custom"): the same name always gives the same id, so a cluster
 * file without an explicit id still has a stable cluster id across restarts, and ids derived inside the
 * simulation stay deterministic. Four rounds of a 32-bit mix (murmur3's finaliser) over the text fill 128 bits;
 * the version nibble (8) and the variant bits (10) then overwrite their places.
 *
 * The text is hashed from the left, so a namespace hashes its prefix once and then only each suffix:
 * `new UuidNamespace(p).uuid(s)` is `stableUuid(p + s)`.
 */
export class UuidNamespace {
  // The four rounds run side by side over one pass of the text: independent chains, same values.
  private readonly h0: number;
  private readonly h1: number;
  private readonly h2: number;
  private readonly h3: number;

  /** The namespace of `prefix`, continuing `parent`'s text when given. */
  constructor(prefix: string, parent?: UuidNamespace) {
    let h0 = parent?.h0 ?? (0x811c9dc5 ^ Math.imul(1, 0x9e3779b9)) >>> 0;
    let h1 = parent?.h1 ?? (0x811c9dc5 ^ Math.imul(2, 0x9e3779b9)) >>> 0;
    let h2 = parent?.h2 ?? (0x811c9dc5 ^ Math.imul(3, 0x9e3779b9)) >>> 0;
    let h3 = parent?.h3 ?? (0x811c9dc5 ^ Math.imul(4, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      h0 = Math.imul(h0 ^ c, 0x01000193);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193);
      h3 = Math.imul(h3 ^ c, 0x01000193);
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
  }

  uuid(suffix: string): string {
    const { h0, h1, h2, h3 } = new UuidNamespace(suffix, this);
    const a = finalise(h0);
    const b = finalise(h1);
    const c = finalise(h2);
    const d = finalise(h3);
    const version = (b & 0x0fff) | 0x8000;
    const variant = ((c >>> 16) & 0x3fff) | 0x8000;
    // Joined into one flat string: ids are kept for ever, and a template literal would keep a tree of pieces.
    return [
      hex16(a >>> 16) + hex16(a),
      hex16(b >>> 16),
      hex16(version),
      hex16(variant),
      hex16(c) + hex16(d >>> 16) + hex16(d),
    ].join('-');
  }
}

const NO_PREFIX = new UuidNamespace('');

/** The UUID derived from `text` (see UuidNamespace). */
export function stableUuid(text: string): string {
  return NO_PREFIX.uuid(text);
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
export function finalise(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
