/**
 * Run:ai takes `command` and `args` as one string each; a container takes arrays. The string is split the way a
 * POSIX shell splits words — blanks separate, single quotes keep everything, double quotes keep all but `\"` and
 * `\\`, a backslash outside quotes escapes the next character — and nothing is expanded: `$(LWS_LEADER_ADDRESS)`
 * stays as written, for the kubelet to expand from the container's environment.
 */
export type Words = { ok: true; words: string[] } | { ok: false; reason: string };

export function shellWords(text: string): Words {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) return { ok: false, reason: `has an unclosed ${quote === "'" ? 'single' : 'double'} quote` };
  if (inWord) words.push(word);
  return { ok: true, words };
}
