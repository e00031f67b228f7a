// Writes a capacity search's reports into one directory: answer.json (what `--json` prints), report.md and a
// self-contained report.html with the frontiers charted.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CapacityAnswer, CapacityQuestion } from '../../sim/capacity/index.ts';
import { capacityCharts } from './capacity-charts.ts';
import { capacityDocument } from './capacity-document.ts';
import { blockToHtml } from './html-blocks.ts';
import { htmlPage, renderFigures, sectionHtml } from './html.ts';
import { documentToMarkdown } from './markdown.ts';

/** The charts go after the frontiers' tables. */
const CHARTS_AFTER = 'pareto';

export async function writeCapacityReport(
  q: CapacityQuestion,
  a: CapacityAnswer,
  json: string,
  dir: string,
): Promise<{ json: string; markdown: string; html: string }> {
  const doc = capacityDocument(q, a);
  const figures = await renderFigures(capacityCharts(a));
  const sections = doc.sections.map((s) => ({
    id: s.id,
    title: s.title,
    html: s.id === CHARTS_AFTER ? [sectionHtml(s), ...figures].join('\n') : sectionHtml(s),
  }));
  const html = htmlPage(doc.title, doc.intro.map(blockToHtml).join('\n'), sections);
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, 'answer.json'), markdown: join(dir, 'report.md'), html: join(dir, 'report.html') };
  await Promise.all([
    writeFile(paths.json, json),
    writeFile(paths.markdown, documentToMarkdown(doc)),
    writeFile(paths.html, html),
  ]);
  return paths;
}
