/**
 * report.md: the replay summary a person reads, as GitHub-flavoured Markdown.
 */
import type { ReplayReport } from '../../sim/scenario/report.ts';
import { buildDocument } from './build-document.ts';
import type { Block, Inline, ReportDocument, Table } from './document.ts';

export function renderMarkdown(report: ReplayReport): string {
  return documentToMarkdown(buildDocument(report));
}

export function documentToMarkdown(doc: ReportDocument): string {
  const out: string[] = [`# ${escapeText(doc.title, false)}`, ...doc.intro.map(block)];
  for (const section of doc.sections) out.push(`## ${escapeText(section.title, false)}`, ...section.blocks.map(block));
  return `${out.join('\n\n')}\n`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return inlines(b.content, false);
    case 'note':
      return `_${inlines(b.content, false)}_`;
    case 'subheading':
      return `### ${escapeText(b.text, false)}`;
    case 'table':
      return markdownTable(b.table);
  }
}

/** Columns padded to a common width so the raw file reads as a table too. */
function markdownTable(t: Table): string {
  const header = t.columns.map((c) => escapeText(c.title, true));
  const body = t.rows.map((row) => t.columns.map((_, i) => inlines(row[i] === undefined ? [] : [row[i]!], true)));
  const widths = t.columns.map((_, i) => Math.max(3, header[i]!.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (t.columns[i]!.align === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${t.columns.map((c, i) => (c.align === 'right' ? `${'-'.repeat(widths[i]! - 1)}:` : '-'.repeat(widths[i]!))).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function inlines(pieces: readonly Inline[], inTable: boolean): string {
  return pieces.map((p) => inline(p, inTable)).join('');
}

function inline(piece: Inline, inTable: boolean): string {
  if (typeof piece === 'string') return escapeText(piece, inTable);
  if ('strong' in piece) return `**${escapeText(piece.strong, inTable)}**`;
  return codeSpan(piece.code, inTable);
}

/** Backslash-escape what Markdown would read as markup; `|` only matters inside a table. */
function escapeText(text: string, inTable: boolean): string {
  const escaped = text.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>]/g, '\\$&');
  return inTable ? escaped.replace(/\|/g, '\\|') : escaped;
}

/** A code span whose fence is longer than any backtick run inside it (CommonMark's rule). */
function codeSpan(text: string, inTable: boolean): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longestRun + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat;
  // GFM splits table cells on `|` before reading code spans, so it must be escaped even inside one.
  return `${fence}${inTable ? padded.replace(/\|/g, '\\|') : padded}${fence}`;
}
