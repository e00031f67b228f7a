/**
 * The report as a format-neutral document: sections of paragraphs and tables. The Markdown and HTML renderers both
 * draw from one document, so the two reports never say different things.
 */

/** Identifiers (workload, project, file names) are shown as code so no name is read as markup. */
export interface Code {
  readonly code: string;
}

export interface Strong {
  readonly strong: string;
}

export type Inline = string | Code | Strong;

export interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
}

export interface Table {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Inline[])[];
}

export type Block =
  | { readonly kind: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly kind: 'note'; readonly content: readonly Inline[] }
  | { readonly kind: 'table'; readonly table: Table }
  | { readonly kind: 'subheading'; readonly text: string };

export interface Section {
  /** A stable anchor, also where the HTML page places its charts. */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export interface ReportDocument {
  readonly title: string;
  readonly intro: readonly Block[];
  readonly sections: readonly Section[];
}

export const code = (text: string): Code => ({ code: text });
export const strong = (text: string): Strong => ({ strong: text });
export const paragraph = (...content: Inline[]): Block => ({ kind: 'paragraph', content });
export const note = (...content: Inline[]): Block => ({ kind: 'note', content });
export const table = (columns: readonly Column[], rows: readonly (readonly Inline[])[]): Block => ({
  kind: 'table',
  table: { columns, rows },
});
export const subheading = (text: string): Block => ({ kind: 'subheading', text });
export const left = (title: string): Column => ({ title, align: 'left' });
export const right = (title: string): Column => ({ title, align: 'right' });

/** The plain text of an inline piece, for renderers and tests that do not care about emphasis. */
export function inlineText(piece: Inline): string {
  return typeof piece === 'string' ? piece : 'code' in piece ? piece.code : piece.strong;
}
