/**
 * Writes a replay's human-facing reports, report.md and report.html, into one directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayReport } from '../../sim/scenario/report.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';

/** Creates `dir` if need be; answers the paths written. */
export async function writeReports(report: ReplayReport, dir: string): Promise<{ markdown: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const paths = { markdown: join(dir, 'report.md'), html: join(dir, 'report.html') };
  const html = await renderHtml(report);
  await Promise.all([writeFile(paths.markdown, renderMarkdown(report)), writeFile(paths.html, html)]);
  return paths;
}
