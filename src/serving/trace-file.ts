// Reads a trace file line by line, synchronously, in 1 MiB chunks: memory stays flat however long the file.
import { closeSync, openSync, readSync } from 'node:fs';

export function* fileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const text = rest + decoder.decode(chunk.subarray(0, n), { stream: true });
      const lines = text.split('\n');
      rest = lines.pop()!;
      yield* lines;
    }
    rest += decoder.decode();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}
