/**
 * report.html: one self-contained page (inline CSS, charts as inline SVG, no scripts, fonts or images to fetch) with
 * the same content as report.md plus charts of the replay over time.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReplayReport } from '../../sim/scenario/report.ts';
import { buildDocument } from './build-document.ts';
import { allocationChart, pendingChart, queueChart } from './chart-specs.ts';
import type { Section } from './document.ts';
import { blockToHtml, escapeHtml } from './html-blocks.ts';
import { PAGE_STYLE } from './page-style.ts';
import { servingCharts } from './serving-charts.ts';
import { renderSvg } from './svg.ts';

/** The charts go right after this section: the numbers first, then how they came about over time. */
const CHARTS_AFTER = 'gpu';

export async function renderHtml(report: ReplayReport): Promise<string> {
  const doc = buildDocument(report);
  const charts: [string, TopLevelSpec][] = [
    ['allocation', allocationChart(report)],
    ['queue', queueChart(report)],
    ['pending', pendingChart(report)],
  ];
  const figures = await renderFigures(charts);
  const servingFigures = await renderFigures(servingCharts(report));

  const sections: { id: string; title: string; html: string }[] = [];
  for (const section of doc.sections) {
    const html = sectionHtml(section);
    sections.push({
      id: section.id,
      title: section.title,
      html: section.id === 'serving' ? [html, ...servingFigures].join('\n') : html,
    });
    if (section.id === CHARTS_AFTER)
      sections.push({ id: 'charts', title: 'Over time', html: `<h2>Over time</h2>\n${figures.join('\n')}` });
  }
  return htmlPage(doc.title, doc.intro.map(blockToHtml).join('\n'), sections);
}

/** One self-contained page: the title, the intro, a navigation bar and the sections. */
export function htmlPage(
  title: string,
  intro: string,
  sections: readonly { id: string; title: string; html: string }[],
) {
  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
${intro}
<nav>${nav}</nav>
</header>
${sections.map((s) => `<section id="${s.id}">\n${s.html}\n</section>`).join('\n')}
</main>
</body>
</html>
`;
}

/** One at a time: each render is CPU-bound, so running them together only interleaves them. */
export async function renderFigures(charts: readonly [string, TopLevelSpec][]): Promise<string[]> {
  const figures: string[] = [];
  for (const [id, spec] of charts)
    figures.push(
      `<figure id="chart-${id}" aria-label="${escapeHtml(chartTitle(spec))}">\n${await renderSvg(spec, `chart-${id}`)}\n</figure>`,
    );
  return figures;
}

export function sectionHtml(section: Section): string {
  return [`<h2>${escapeHtml(section.title)}</h2>`, ...section.blocks.map(blockToHtml)].join('\n');
}

function chartTitle(spec: TopLevelSpec): string {
  const title = 'title' in spec ? spec.title : undefined;
  if (typeof title === 'string') return title;
  if (title !== undefined && typeof title === 'object' && 'text' in title && typeof title.text === 'string')
    return title.text;
  return 'chart';
}
