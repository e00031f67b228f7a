/**
 * A small CSV reader for the cluster-trace files: comma-separated, one header line, no quoted fields. Every cell
 * keeps its line and column (1-based), so an importer can say exactly where a bad value is.
 */
export interface CsvCell {
  readonly text: string;
  readonly column: number;
}

export interface CsvRow {
  readonly line: number;
  readonly cells: readonly CsvCell[];
}

/** A problem at a place in a file: printed as `file:line:column: message`. */
export interface ImportError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatImportError(e: ImportError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}

export type CsvTable =
  { ok: true; header: readonly CsvCell[]; rows: readonly CsvRow[] } | { ok: false; errors: ImportError[] };

export function readCsv(file: string, text: string): CsvTable {
  const lines = text.split('\n');
  const rows: CsvRow[] = [];
  const errors: ImportError[] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const quote = line.indexOf('"');
    if (quote >= 0) {
      errors.push({ file, line: i + 1, column: quote + 1, message: 'quoted fields are not supported' });
      return;
    }
    const cells: CsvCell[] = [];
    let start = 0;
    for (const text of line.split(',')) {
      cells.push({ text, column: start + 1 });
      start += text.length + 1;
    }
    rows.push({ line: i + 1, cells });
  });
  if (errors.length > 0) return { ok: false, errors };
  const [header, ...body] = rows;
  if (header === undefined) return { ok: false, errors: [{ file, line: 1, column: 1, message: 'the file is empty' }] };
  return { ok: true, header: header.cells, rows: body };
}

/** Reads a table's rows by column name, collecting every error instead of stopping at the first. */
export class CsvReader {
  readonly errors: ImportError[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly file: string,
    private readonly table: { header: readonly CsvCell[]; rows: readonly CsvRow[] },
    required: readonly string[],
  ) {
    table.header.forEach((cell, i) => this.index.set(cell.text.trim(), i));
    const missing = required.filter((name) => !this.index.has(name));
    if (missing.length > 0)
      this.errors.push({
        file,
        line: 1,
        column: 1,
        message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${table.header.map((c) => c.text).join(',')})`,
      });
  }

  get rows(): readonly CsvRow[] {
    return this.errors.length > 0 ? [] : this.table.rows;
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** The cell's text, trimmed; '' when the column is absent or the row is short. */
  text(row: CsvRow, name: string): string {
    return this.cell(row, name)?.text.trim() ?? '';
  }

  /** A non-negative integer, or undefined after recording an error naming the place. */
  integer(row: CsvRow, name: string, options: { optional?: boolean } = {}): number | undefined {
    const cell = this.cell(row, name);
    const text = cell?.text.trim() ?? '';
    if (text === '' && options.optional) return 0;
    if (!/^\d+$/.test(text)) return this.fail(row, cell, `${name} must be a non-negative integer, got "${text}"`);
    return Number(text);
  }

  fail(row: CsvRow, cell: CsvCell | undefined, message: string): undefined {
    const column = cell?.column ?? (row.cells.at(-1)?.column ?? 1) + (row.cells.at(-1)?.text.length ?? 0);
    this.errors.push({ file: this.file, line: row.line, column, message });
    return undefined;
  }

  cell(row: CsvRow, name: string): CsvCell | undefined {
    const i = this.index.get(name);
    return i === undefined ? undefined : row.cells[i];
  }
}
