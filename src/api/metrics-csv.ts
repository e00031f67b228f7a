// The contract's metrics operations also answer `text/csv`: a client that asks for it (Accept: text/csv, before or
// without JSON) gets one row per value — what a spreadsheet or pandas reads directly.
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';

type Json = Record<string, unknown>;

/** Whether the request prefers CSV: Accept names text/csv, and JSON not before it. */
export function wantsCsv(request: FastifyRequest): boolean {
  const accept = (request.headers.accept ?? '').toLowerCase();
  const csv = accept.indexOf('text/csv');
  if (csv < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || csv < json;
}

/** A metrics handler that answers CSV when asked: its JSON body's measurements, one value a row. */
export function withCsv(
  handler: RouteHandlerMethod,
  toCsv: (body: Json) => string = measurementsCsv,
): RouteHandlerMethod {
  return async function (this: unknown, request: FastifyRequest, reply: FastifyReply) {
    const body = (await (handler as (r: FastifyRequest, s: FastifyReply) => Promise<unknown>)(request, reply)) as Json;
    if (!wantsCsv(request)) return body;
    return reply.type('text/csv; charset=utf-8').send(toCsv(body));
  } as RouteHandlerMethod;
}

/** `type,labels,groups,timestamp,value`: labels and groups as `key=value` joined by `;`. */
export function measurementsCsv(body: Json): string {
  const rows = ['type,labels,groups,timestamp,value'];
  for (const m of (body.measurements ?? []) as Json[]) {
    const labels = Object.entries((m.labels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
    const groups = ((m.groups ?? []) as { key: string; value: string }[]).map((g) => `${g.key}=${g.value}`);
    for (const v of (m.values ?? []) as { value: string; timestamp: string | null }[])
      rows.push([m.type, labels.join(';'), groups.join(';'), v.timestamp ?? '', v.value].map(cell).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** Telemetry: `type,timestamp,groups,value`. */
export function telemetryCsv(body: Json): string {
  const rows = ['type,timestamp,groups,value'];
  for (const v of (body.values ?? []) as { value: string; groups?: { key: string; value: string }[] }[]) {
    const groups = (v.groups ?? []).map((g) => `${g.key}=${g.value}`).join(';');
    rows.push([body.type, body.timestamp, groups, v.value].map(cell).join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
function cell(value: unknown): string {
  const text = String(value ?? '');
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
