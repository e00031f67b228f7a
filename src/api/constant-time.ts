/**
 * Whether two strings are equal, reading every character of `a` whatever they hold: no early exit, so the time
 * taken does not reveal how much of a secret matched. Meant for fixed-length digests (a length mismatch is
 * still answered after a full pass).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
