/**
 * The parts of Run:ai's `DistributedInferenceCreationRequest` the export reads: every field with a Kubernetes
 * meaning, beyond the ones the simulation needs (`src/runai/translate.ts`). The body is already valid against the
 * contract, with its defaults filled in; null means absent, as there.
 */
import type { RequestPodSpec, RequestSpec } from '../runai/translate.ts';

type Maybe<T> = T | null | undefined;

/** `name`/`value` pairs Run:ai lists for labels and annotations; `exclude` drops one a template added. */
export interface NamedValue {
  name?: Maybe<string>;
  value?: Maybe<string>;
  exclude?: Maybe<boolean>;
}

export interface EnvironmentVariable {
  name?: Maybe<string>;
  value?: Maybe<string>;
  secret?: Maybe<{ name?: Maybe<string>; key?: Maybe<string> }>;
  configMap?: Maybe<{ name?: Maybe<string>; key?: Maybe<string> }>;
  podFieldRef?: Maybe<{ path?: Maybe<string> }>;
  userCredential?: Maybe<{ name?: Maybe<string>; key?: Maybe<string> }>;
  exclude?: Maybe<boolean>;
}

export interface ExportCompute extends NonNullable<RequestPodSpec['compute']> {
  cpuCoreLimit?: Maybe<number>;
  cpuMemoryLimit?: Maybe<string>;
  gpuPortionLimit?: Maybe<number>;
  gpuMemoryLimit?: Maybe<string>;
  largeShmRequest?: Maybe<boolean>;
  extendedResources?: Maybe<Maybe<{ resource?: Maybe<string>; quantity?: Maybe<string>; exclude?: Maybe<boolean> }>[]>;
}

export interface ExportStorage {
  emptyDirVolume?: Maybe<
    Maybe<
      { name?: Maybe<string>; path?: Maybe<string>; medium?: Maybe<string>; sizeLimit?: Maybe<string> } & Excluded
    >[]
  >;
  configMapVolume?: Maybe<
    Maybe<
      {
        name?: Maybe<string>;
        configMap?: Maybe<string>;
        mountPath?: Maybe<string>;
        subPath?: Maybe<string>;
        defaultMode?: Maybe<string>;
      } & Excluded
    >[]
  >;
  secretVolume?: Maybe<
    Maybe<
      {
        name?: Maybe<string>;
        secret?: Maybe<string>;
        mountPath?: Maybe<string>;
        defaultMode?: Maybe<string>;
      } & Excluded
    >[]
  >;
  pvc?: Maybe<
    Maybe<
      {
        name?: Maybe<string>;
        claimName?: Maybe<string>;
        path?: Maybe<string>;
        readOnly?: Maybe<boolean>;
        existingPvc?: Maybe<boolean>;
      } & Excluded
    >[]
  >;
}

interface Excluded {
  exclude?: Maybe<boolean>;
}

export interface ExportSecurity {
  capabilities?: Maybe<string[]>;
  readOnlyRootFilesystem?: Maybe<boolean>;
  runAsGid?: Maybe<number>;
  runAsNonRoot?: Maybe<boolean>;
  runAsUid?: Maybe<number>;
  seccompProfileType?: Maybe<'RuntimeDefault' | 'Unconfined' | 'Localhost'>;
  /** Comma-separated group ids. */
  supplementalGroups?: Maybe<string>;
}

export interface ExportPodSpec extends Omit<RequestPodSpec, 'compute' | 'tolerations'> {
  tolerations?: Maybe<
    Maybe<NonNullable<NonNullable<RequestPodSpec['tolerations']>[number]> & { seconds?: Maybe<number> }>[]
  >;
  command?: Maybe<string>;
  args?: Maybe<string>;
  workingDir?: Maybe<string>;
  imagePullPolicy?: Maybe<'Always' | 'Never' | 'IfNotPresent'>;
  imagePullSecrets?: Maybe<Maybe<{ name?: Maybe<string> } & Excluded>[]>;
  environmentVariables?: Maybe<Maybe<EnvironmentVariable>[]>;
  labels?: Maybe<Maybe<NamedValue>[]>;
  annotations?: Maybe<Maybe<NamedValue>[]>;
  compute?: Maybe<ExportCompute>;
  probes?: Maybe<{
    readiness?: Maybe<{
      initialDelaySeconds?: Maybe<number>;
      periodSeconds?: Maybe<number>;
      timeoutSeconds?: Maybe<number>;
      successThreshold?: Maybe<number>;
      failureThreshold?: Maybe<number>;
      handler?: Maybe<{
        httpGet?: Maybe<{
          path?: Maybe<string>;
          port?: Maybe<number>;
          host?: Maybe<string>;
          scheme?: Maybe<'HTTP' | 'HTTPS'>;
        }>;
      }>;
    }>;
  }>;
  security?: Maybe<ExportSecurity>;
  storage?: Maybe<ExportStorage>;
}

export interface ExportSpec extends Omit<RequestSpec, 'leader' | 'worker'> {
  servingPort?: Maybe<{ port?: Maybe<number>; protocol?: Maybe<string>; exposeExternally?: Maybe<boolean> }>;
  leader?: Maybe<ExportPodSpec>;
  worker?: Maybe<ExportPodSpec>;
}

export interface ExportRequest {
  name: string;
  projectId: string;
  clusterId: string;
  useGivenNameAsPrefix?: Maybe<boolean>;
  spec?: Maybe<ExportSpec>;
}
