import { LineCounter, isMap, parseDocument, type Document } from 'yaml';

/** A problem in a configuration file, located so that a person can go straight to it. */
export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Where inside the document, as `nodePools[0].nodes[1].gpu.count`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function formatConfigError(error: ConfigError): string {
  const where = error.path === '' ? '' : `${error.path}: `;
  return `${error.file}:${error.line}:${error.column}: ${where}${error.message}`;
}

/**
 * A parsed YAML file that remembers where every value came from, so errors found later (by the schema, or by
 * semantic checks) can name the line and column of the offending value.
 */
export class SourceDocument {
  private constructor(
    readonly file: string,
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(
    file: string,
    text: string,
  ): { ok: true; source: SourceDocument; value: unknown } | { ok: false; errors: ConfigError[] } {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) {
      return {
        ok: false,
        errors: document.errors.map((e) => {
          const pos = lines.linePos(e.pos[0]);
          return { file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! };
        }),
      };
    }
    const source = new SourceDocument(file, document, lines);
    return { ok: true, source, value: document.toJS({ maxAliasCount: 100 }) as unknown };
  }

  /**
   * A located error for the value at `path` (or the nearest ancestor that exists). With `atKey`, the position is
   * that of the key naming the value (right for "unknown field").
   */
  errorAt(path: readonly PathSegment[], message: string, atKey = false): ConfigError {
    const { line, column } = (atKey && this.locateKey(path)) || this.locate(path);
    return { file: this.file, line, column, path: formatPath(path), message };
  }

  private locateKey(path: readonly PathSegment[]): { line: number; column: number } | undefined {
    if (path.length === 0) return undefined;
    const parent = path.length === 1 ? this.document.contents : this.document.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === path[path.length - 1]);
    const range = (pair?.key as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) return undefined;
    const pos = this.lines.linePos(range[0]);
    return { line: pos.line, column: pos.col };
  }

  private locate(path: readonly PathSegment[]): { line: number; column: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) {
        const pos = this.lines.linePos(range[0]);
        return { line: pos.line, column: pos.col };
      }
      // A key whose value is null has no value node: point at the key itself.
      const key = depth > 0 ? this.locateKey(path.slice(0, depth)) : undefined;
      if (key) return key;
    }
    return { line: 1, column: 1 };
  }
}
