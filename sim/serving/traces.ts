// Request traces as lines of text: the Azure LLM inference traces (CSV), Mooncake (JSONL with prefix-block hashes),
// BurstGPT (CSV). Parsing is pure and line by line, so a trace of tens of millions of rows streams in bounded memory.
import type { RequestSpec } from './request.ts';

export const TRACE_FORMATS = ['azure', 'mooncake', 'burstgpt'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function isTraceFormat(value: string): value is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(value);
}

/** Mooncake's prefix blocks are 512 tokens each. */
export const MOONCAKE_BLOCK_TOKENS = 512;

/** A line's request with its timestamp in seconds (of the trace's own clock), or why the line is unreadable. */
export type ParsedLine =
  | { readonly ok: true; readonly at: number; readonly spec: Omit<RequestSpec, 'arrival'> }
  | { readonly ok: false; readonly message: string }
  | { readonly ok: 'skip'; readonly reason: string };

const positiveInteger = (text: string | undefined): number | undefined => {
  const n = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

/** `2023-11-16 18:17:03.9799600` as seconds since the epoch, read as UTC (no time zone is given). */
export function azureTimestamp(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  const whole = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  return Number.isFinite(whole) ? whole + Number(`0.${frac}`) : undefined;
}

function tokens(input: number | undefined, output: number | undefined, what: string): ParsedLine | undefined {
  if (input === undefined || output === undefined)
    return { ok: false, message: `${what}: token counts must be non-negative integers` };
  if (input === 0 || output === 0) return { ok: 'skip', reason: 'a request with no prompt or no output tokens' };
  return undefined;
}

/** Parses one line (the header excluded) of `format`. */
export function parseTraceLine(format: TraceFormat, line: string): ParsedLine {
  switch (format) {
    case 'azure': {
      // TIMESTAMP,ContextTokens,GeneratedTokens
      const [stamp = '', context, generated, extra] = line.split(',');
      const at = azureTimestamp(stamp);
      if (at === undefined || generated === undefined || extra !== undefined)
        return {
          ok: false,
          message: 'expected TIMESTAMP,ContextTokens,GeneratedTokens with a YYYY-MM-DD hh:mm:ss time',
        };
      const input = positiveInteger(context);
      const output = positiveInteger(generated);
      return (
        tokens(input, output, 'ContextTokens,GeneratedTokens') ?? {
          ok: true,
          at,
          spec: { inputTokens: input!, outputTokens: output! },
        }
      );
    }
    case 'burstgpt': {
      // Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
      const [stamp, , request, response] = line.split(',');
      const at = Number(stamp);
      if (stamp === undefined || stamp.trim() === '' || !Number.isFinite(at) || response === undefined)
        return { ok: false, message: 'expected Timestamp,Model,Request tokens,Response tokens,...' };
      const input = positiveInteger(request);
      const output = positiveInteger(response);
      return (
        tokens(input, output, 'Request tokens,Response tokens') ?? {
          ok: true,
          at,
          spec: { inputTokens: input!, outputTokens: output! },
        }
      );
    }
    case 'mooncake': {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return { ok: false, message: 'not a JSON object' };
      }
      const o = value as { timestamp?: unknown; input_length?: unknown; output_length?: unknown; hash_ids?: unknown };
      if (typeof o !== 'object' || o === null || typeof o.timestamp !== 'number' || !Number.isFinite(o.timestamp))
        return { ok: false, message: 'timestamp (ms) must be a number' };
      const input = typeof o.input_length === 'number' ? positiveInteger(String(o.input_length)) : undefined;
      const output = typeof o.output_length === 'number' ? positiveInteger(String(o.output_length)) : undefined;
      const bad = tokens(input, output, 'input_length, output_length');
      if (bad) return bad;
      const hashes = o.hash_ids ?? [];
      if (!Array.isArray(hashes) || !hashes.every((h) => Number.isSafeInteger(h)))
        return { ok: false, message: 'hash_ids must be an array of integers' };
      return {
        ok: true,
        at: o.timestamp / 1000,
        spec: {
          inputTokens: input!,
          outputTokens: output!,
          prefixBlocks: hashes as number[],
          prefixBlockTokens: MOONCAKE_BLOCK_TOKENS,
        },
      };
    }
  }
}

export interface TraceWindow {
  /** Divide the trace's gaps by this (2 = twice the rate). */
  readonly speedup?: number;
  /** Keep requests from this many seconds after the first one... */
  readonly start?: number;
  /** ...up to this many. */
  readonly end?: number;
  /** At most this many requests. */
  readonly limit?: number;
}

export interface TraceProblem {
  readonly line: number;
  readonly message: string;
}

/**
 * The requests of a trace's lines (the first is the header for the CSV formats), arrivals from 0 at the window's
 * start. An unreadable line stops the trace with `problem` set (file, line and what, for the caller to report);
 * skipped lines are counted.
 */
export class TraceRequests implements Iterable<RequestSpec> {
  problem: TraceProblem | undefined;
  skipped = 0;
  read = 0;

  constructor(
    private readonly lines: Iterable<string>,
    private readonly format: TraceFormat,
    private readonly window: TraceWindow = {},
  ) {}

  *[Symbol.iterator](): Iterator<RequestSpec> {
    const { speedup = 1, start = 0, end = Infinity, limit = Infinity } = this.window;
    let first: number | undefined;
    let lineNumber = 0;
    let yielded = 0;
    let previous = -Infinity;
    for (const raw of this.lines) {
      lineNumber++;
      const line = raw.replace(/\r$/, '');
      if (lineNumber === 1 && this.format !== 'mooncake') continue;
      if (line.trim() === '') continue;
      const parsed = parseTraceLine(this.format, line);
      if (parsed.ok === 'skip') {
        this.skipped++;
        continue;
      }
      if (!parsed.ok) {
        this.problem = { line: lineNumber, message: parsed.message };
        return;
      }
      if (parsed.at < previous) {
        this.problem = { line: lineNumber, message: 'timestamps must not go backwards' };
        return;
      }
      previous = parsed.at;
      first ??= parsed.at;
      const offset = parsed.at - first;
      if (offset < start) continue;
      if (offset > end || yielded >= limit) return;
      this.read++;
      yielded++;
      yield { ...parsed.spec, arrival: (offset - start) / speedup };
    }
  }
}
