/**
 * A Vega-Lite spec drawn as an SVG string, in Node, with no browser and no canvas: Vega's headless 'none' renderer
 * builds the scene graph and its SVG string renderer writes it out.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * `idPrefix` keeps the ids of one chart's clip paths and gradients apart from another's when several SVGs share a
 * page (Vega numbers them per process, so two renders can otherwise collide or differ run to run).
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return prefixIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** Renames every `id="x"` and its `url(#x)` / `href="#x"` references to `${prefix}-x`. */
function prefixIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) =>
    ids.has(id) ? `${lead}${prefix}-${id}` : whole,
  );
}
