/**
 * A creation request body (from a file, or the capacity search's winner) to its manifest, refused the way the API
 * refuses it: first the contract's schema (the same messages as a 400), then the model's semantic checks.
 */
import type { ClusterFileSpec } from '../../sim/cluster/index.ts';
import { contractAjv } from '../contract/ajv.ts';
import { contractRef } from '../contract/contract.ts';
import { validationMessage, type ValidationIssue } from '../contract/validation-message.ts';
import { Organisation } from '../runai/organisation.ts';
import { translateCreation, type CreationRequest } from '../runai/translate.ts';
import { DEFAULT_NODE_POOL_LABEL, lwsManifest, type ManifestResult, type NodePoolLabel } from './lws-manifest.ts';
import type { ExportRequest } from './request-spec.ts';

/** Where the request would land: its projects (ids 101, 102, ... as the API numbers them) and node pools. */
export interface ExportTarget {
  readonly organisation: Organisation;
  readonly nodePools: readonly NodePoolLabel[];
}

export function exportTarget(spec: Pick<ClusterFileSpec, 'departments' | 'nodePools'>): ExportTarget {
  return {
    organisation: new Organisation(spec.departments),
    nodePools: spec.nodePools.map((p) => ({ name: p.name, labelKey: DEFAULT_NODE_POOL_LABEL, labelValue: p.name })),
  };
}

export type RequestManifest = ManifestResult | { ok: false; message: string; details?: string };

export function manifestFromRequest(body: unknown, target: ExportTarget): RequestManifest {
  // Validation fills in the contract's defaults: on a copy, so the caller's value stays as given.
  const request = structuredClone(body);
  const validate = contractAjv('body').getSchema(contractRef('DistributedInferenceCreationRequest'))!;
  if (!validate(request)) {
    const { message, details } = validationMessage((validate.errors ?? []) as ValidationIssue[], 'body');
    return { ok: false, message, ...(details !== undefined ? { details } : {}) };
  }
  const creation = request as ExportRequest & CreationRequest;
  // The manifest is for whichever cluster it is applied to: the request's clusterId is not checked against ours.
  const translated = translateCreation(creation, {
    clusterId: creation.clusterId.toLowerCase(),
    projectName: (id) => target.organisation.project(id)?.name,
  });
  if (!translated.ok) return translated;
  return lwsManifest({ request: creation, spec: translated.spec, nodePools: target.nodePools });
}
