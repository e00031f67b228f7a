// The FGD experiment's report: result.json, report.md and a self-contained report.html charting the allocation and
// fragmentation curves per policy the way the paper's figure does.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { PUBLISHED_DEFAULT_130, type PolicyName } from '../../sim/fgd/index.ts';
import { CHART_CONFIG, CHART_HEIGHT, CHART_WIDTH } from './chart-specs.ts';
import { code, left, paragraph, right, table, type ReportDocument } from './document.ts';
import type { ByArrived, FgdJson } from './fgd-json.ts';
import { blockToHtml } from './html-blocks.ts';
import { htmlPage, renderFigures, sectionHtml } from './html.ts';
import { documentToMarkdown } from './markdown.ts';

export async function writeFgdReport(
  json: FgdJson,
  dir: string,
): Promise<{ json: string; markdown: string; html: string }> {
  const doc = fgdDocument(json);
  const figures = await renderFigures(fgdCharts(json));
  const sections = doc.sections.map((s) => ({
    id: s.id,
    title: s.title,
    html: s.id === 'result' ? [sectionHtml(s), ...figures].join('\n') : sectionHtml(s),
  }));
  const html = htmlPage(doc.title, doc.intro.map(blockToHtml).join('\n'), sections);
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, 'result.json'), markdown: join(dir, 'report.md'), html: join(dir, 'report.html') };
  await Promise.all([
    writeFile(paths.json, `${JSON.stringify(json, null, 2)}\n`),
    writeFile(paths.markdown, documentToMarkdown(doc)),
    writeFile(paths.html, html),
  ]);
  return paths;
}

export function fgdDocument(json: FgdJson): ReportDocument {
  const at = String(json.maxBin);
  const entries = Object.entries(json.policies) as [PolicyName, NonNullable<FgdJson['policies'][PolicyName]>][];
  const rows = entries.map(([name, p]) => [
    p.title,
    fixed(p.allocationByArrived[at]),
    fixed(p.allocationStdByArrived[at]),
    fixed(p.fragRatioByArrived['100']),
    json.maxBin === 130 ? PUBLISHED_DEFAULT_130[name].toFixed(2) : '-',
  ]);
  return {
    title: 'FGD placement-policy comparison',
    intro: [
      paragraph(
        `${json.nodes} nodes, ${json.gpus} GPUs, ${json.pods} pods from `,
        code(json.podsFile),
        `, tuned to ${Math.round(json.tuneRatio * 100)}% of the GPU capacity and placed one pod at a time; `,
        `seeds ${json.seeds.join(', ')}; ${json.wallSeconds} s.`,
      ),
    ],
    sections: [
      {
        id: 'result',
        title: `GPU allocation at ${at}% arrived`,
        blocks: [
          table(
            [
              left('policy'),
              right(`allocation at ${at}% (mean)`),
              right('std'),
              right('frag ratio at 100%'),
              right('published (default trace)'),
            ],
            rows,
          ),
        ],
      },
    ],
  };
}

function fixed(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : v.toFixed(2);
}

export function fgdCharts(json: FgdJson): [string, TopLevelSpec][] {
  return [
    [
      'allocation',
      curveChart(json, 'GPU allocation ratio by arrived GPU demand', 'allocationByArrived', 'GPU allocation (%)'),
    ],
    [
      'fragmentation',
      curveChart(json, 'Fragmentation ratio by arrived GPU demand', 'fragRatioByArrived', 'fragmented idle GPU (%)'),
    ],
  ];
}

function curveChart(
  json: FgdJson,
  title: string,
  field: 'allocationByArrived' | 'fragRatioByArrived',
  yTitle: string,
): TopLevelSpec {
  const values = Object.values(json.policies).flatMap((p) =>
    Object.entries(p[field] as ByArrived)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => ({ policy: p.title, arrived: Number(k), value: v })),
  );
  return {
    title: { text: title, subtitle: `mean over seeds ${json.seeds[0]}..${json.seeds.at(-1)}` },
    config: CHART_CONFIG,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'arrived', type: 'quantitative', title: 'arrived GPU demand (% of capacity)' },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: {
        field: 'policy',
        type: 'nominal',
        title: 'policy',
        sort: Object.values(json.policies).map((p) => p.title),
      },
    },
  };
}
