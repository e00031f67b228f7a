import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportTarget, manifestFromRequest } from '../../src/export/from-request.ts';
import type { WorkloadManifest } from '../../src/export/lws-manifest.ts';
import { CLUSTER_ID, TEST_CLUSTER } from '../api/live/lwsim-server.ts';
import { LWS_SCHEMA_FILE, manifestProblems } from './manifest-check.ts';

const RESEARCH_CRD = new URL(
  '../../../shared/research/lws/leaderworkerset.x-k8s.io_leaderworkersets.yaml',
  import.meta.url,
);

function good(): WorkloadManifest {
  const made = manifestFromRequest(
    {
      name: 'llama',
      projectId: '101',
      clusterId: CLUSTER_ID,
      spec: { workers: 1, servingPort: { port: 8000 }, leader: { image: 'x' }, worker: { image: 'x' } },
    },
    exportTarget(TEST_CLUSTER),
  );
  if (!made.ok) throw new Error(made.message);
  return made.manifest;
}

describe('the checks an exported manifest passes', () => {
  it('refuse what the CRD refuses', () => {
    const m = good();
    const bad = structuredClone(m.leaderWorkerSet) as unknown as {
      spec: Record<string, unknown> & { leaderWorkerTemplate: Record<string, unknown> };
    };
    bad.spec.leaderWorkerTemplate.restartPolicy = 'Sometimes';
    bad.spec.replicas = 'two';
    delete bad.spec.leaderWorkerTemplate.workerTemplate;
    expect(manifestProblems({ ...m, leaderWorkerSet: bad as never })).toEqual([
      "LeaderWorkerSet/spec/leaderWorkerTemplate: must have required property 'workerTemplate'",
      'LeaderWorkerSet/spec/leaderWorkerTemplate/restartPolicy: must be equal to one of the allowed values',
      'LeaderWorkerSet/spec/replicas: must be integer',
    ]);
  });

  it('refuse what core/v1 refuses in a pod template or the Service', () => {
    const m = good();
    const bad = structuredClone(m);
    (bad.leaderWorkerSet.spec.leaderWorkerTemplate.leaderTemplate!.spec!.containers[0] as { name?: string }).name =
      undefined;
    (bad.service!.spec!.ports![0] as { port: unknown }).port = 'http';
    const problems = manifestProblems(bad);
    // The CRD embeds the pod schema too, so the nameless container is refused twice.
    expect(problems).toEqual([
      "LeaderWorkerSet/spec/leaderWorkerTemplate/leaderTemplate/spec/containers/0: must have required property 'name'",
      expect.stringMatching(/^leaderTemplate: .*name/),
      expect.stringMatching(/^Service: .*port/),
    ]);
  });

  it.skipIf(!existsSync(RESEARCH_CRD))('use the CRD of the research folder, descriptions removed', () => {
    const crd = parse(readFileSync(RESEARCH_CRD, 'utf8')) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
    };
    const strip = (o: unknown): unknown =>
      Array.isArray(o)
        ? o.map(strip)
        : o !== null && typeof o === 'object'
          ? Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (k === 'description' ? [] : [[k, strip(v)]])))
          : o;
    const v1 = crd.spec.versions.find((v) => v.name === 'v1')!;
    expect(JSON.parse(readFileSync(LWS_SCHEMA_FILE, 'utf8'))).toEqual({
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      openAPIV3Schema: strip(v1.schema.openAPIV3Schema),
    });
  });
});
