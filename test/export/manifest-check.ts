/**
 * Checks an exported manifest as a cluster would: the LeaderWorkerSet against the LWS CRD's openAPIV3Schema (a
 * prose-free copy in test/fixtures/lws, see its SOURCE.md), the Service and both pod templates against
 * kubernetes-models' core/v1 schemas.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import ajvFormats from 'ajv-formats';
import { PodTemplateSpec, Service } from 'kubernetes-models/v1';
import type { WorkloadManifest } from '../../src/export/lws-manifest.ts';

export const LWS_SCHEMA_FILE = new URL('../fixtures/lws/leaderworkerset-v1-schema.json', import.meta.url);

const crd = JSON.parse(readFileSync(LWS_SCHEMA_FILE, 'utf8')) as { openAPIV3Schema: object };
// strictTypes off: int-or-string quantities put `pattern` beside an `anyOf` of integer and string, as CRDs do.
const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
ajvFormats.default(ajv, ['date-time']);
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
// The structural-schema markers of CRDs: they say how the API server merges lists and maps, not what is valid.
for (const keyword of [
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
])
  ajv.addKeyword({ keyword, schemaType: ['string', 'array', 'boolean'] });
const validateLws = ajv.compile(crd.openAPIV3Schema);

/** Every problem with the manifest, as `where: message` lines; empty when a cluster would take it. */
export function manifestProblems(m: WorkloadManifest): string[] {
  const problems: string[] = [];
  if (!validateLws(m.leaderWorkerSet))
    problems.push(
      ...(validateLws.errors ?? []).map((e: ErrorObject) => `LeaderWorkerSet${e.instancePath}: ${e.message}`),
    );
  const lwt = m.leaderWorkerSet.spec.leaderWorkerTemplate;
  const typed: [string, { validate(): void }][] = [
    ['workerTemplate', new PodTemplateSpec(lwt.workerTemplate)],
    ...(lwt.leaderTemplate
      ? [['leaderTemplate', new PodTemplateSpec(lwt.leaderTemplate)] as [string, PodTemplateSpec]]
      : []),
    ...(m.service ? [['Service', new Service(m.service)] as [string, Service]] : []),
  ];
  for (const [what, object] of typed) {
    try {
      object.validate();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  }
  return problems;
}
