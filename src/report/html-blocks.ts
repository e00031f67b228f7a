/**
 * The report document's blocks as HTML fragments, every piece of text escaped.
 */
import type { Block, Inline, Table } from './document.ts';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

export function inlinesToHtml(pieces: readonly Inline[]): string {
  return pieces
    .map((p) =>
      typeof p === 'string'
        ? escapeHtml(p)
        : 'code' in p
          ? `<code>${escapeHtml(p.code)}</code>`
          : `<strong>${escapeHtml(p.strong)}</strong>`,
    )
    .join('');
}

function tableToHtml(t: Table): string {
  const cls = (i: number): string => (t.columns[i]?.align === 'right' ? ' class="num"' : '');
  const head = t.columns.map((c, i) => `<th scope="col"${cls(i)}>${escapeHtml(c.title)}</th>`).join('');
  const body = t.rows.map(
    (row) =>
      `<tr>${t.columns.map((_, i) => `<td${cls(i)}>${inlinesToHtml(row[i] === undefined ? [] : [row[i]!])}</td>`).join('')}</tr>`,
  );
  return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table></div>`;
}

export function blockToHtml(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${inlinesToHtml(b.content)}</p>`;
    case 'note':
      return `<p class="note">${inlinesToHtml(b.content)}</p>`;
    case 'subheading':
      return `<h3>${escapeHtml(b.text)}</h3>`;
    case 'table':
      return tableToHtml(b.table);
  }
}
