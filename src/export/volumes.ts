/**
 * A pod's storage (Run:ai's `storage` and `compute.largeShmRequest`) as pod volumes and container mounts. Claims
 * Run:ai would create for the workload (a `pvc` without `existingPvc`) are mounted by the claim name they give,
 * but not created: the export writes no PersistentVolumeClaim.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { ExportPodSpec } from './request-spec.ts';

export interface PodVolumes {
  readonly volumes: IVolume[];
  readonly mounts: NonNullable<IContainer['volumeMounts']>;
}

/** `/dev/shm` in memory: what NCCL and vLLM's workers need beyond the 64 MiB a container gets by default. */
const SHM = { name: 'dshm', mountPath: '/dev/shm' } as const;

export function podVolumes(pod: ExportPodSpec): PodVolumes {
  const volumes: IVolume[] = [];
  const mounts: PodVolumes['mounts'] = [];
  const add = (name: string, volume: Omit<IVolume, 'name'>, mountPath: string | null | undefined, extra = {}) => {
    volumes.push({ name, ...volume });
    if (mountPath) mounts.push({ name, mountPath, ...extra });
  };
  if (pod.compute?.largeShmRequest) add(SHM.name, { emptyDir: { medium: 'Memory' } }, SHM.mountPath);
  const storage = pod.storage ?? {};
  const named = (kind: string, i: number, name: string | null | undefined) => name ?? `${kind}-${i}`;
  (storage.emptyDirVolume ?? []).forEach((v, i) => {
    if (!v || v.exclude) return;
    add(
      named('empty-dir', i, v.name),
      { emptyDir: { ...(v.medium ? { medium: v.medium } : {}), ...(v.sizeLimit ? { sizeLimit: v.sizeLimit } : {}) } },
      v.path,
    );
  });
  (storage.configMapVolume ?? []).forEach((v, i) => {
    if (!v?.configMap || v.exclude) return;
    add(
      named('config-map', i, v.name),
      { configMap: { name: v.configMap, ...mode(v.defaultMode) } },
      v.mountPath,
      v.subPath ? { subPath: v.subPath } : {},
    );
  });
  (storage.secretVolume ?? []).forEach((v, i) => {
    if (!v?.secret || v.exclude) return;
    add(named('secret', i, v.name), { secret: { secretName: v.secret, ...mode(v.defaultMode) } }, v.mountPath);
  });
  (storage.pvc ?? []).forEach((v, i) => {
    if (!v?.claimName || v.exclude) return;
    const readOnly = v.readOnly ? { readOnly: true } : {};
    add(named('pvc', i, v.name), { persistentVolumeClaim: { claimName: v.claimName, ...readOnly } }, v.path, readOnly);
  });
  return { volumes, mounts };
}

/** Run:ai writes modes as octal text (`"0644"`); Kubernetes takes the number. */
function mode(text: string | null | undefined): { defaultMode?: number } {
  return text ? { defaultMode: parseInt(text, 8) } : {};
}
