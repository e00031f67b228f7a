/**
 * One pod template of the LeaderWorkerSet (the leader's or the workers') from the request's pod spec and the
 * model's reading of it (`PodTemplate`: the GPU request, node type, node affinity as translate resolved them).
 */
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { INodeSelectorRequirement } from 'kubernetes-models/v1/NodeSelectorRequirement';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import { NODE_LABELS } from '../../sim/cluster/index.ts';
import type { TopologyConstraint } from '../../sim/scheduler/index.ts';
import type { PodTemplate } from '../../sim/workloads/spec.ts';
import { gpuAnnotations, gpuResources } from './gpu.ts';
import type { ExportPodSpec, NamedValue } from './request-spec.ts';
import { shellWords } from './shell-words.ts';
import { podVolumes } from './volumes.ts';

/** What every pod of the workload shares, decided once for the whole LeaderWorkerSet. */
export interface SharedPodParts {
  readonly lwsName: string;
  /** Labels every pod carries (the queue, the node pool). */
  readonly labels: Readonly<Record<string, string>>;
  readonly schedulerName: string;
  readonly priorityClassName: string | undefined;
  /** One node pool as a node selector; several as alternatives (ORed), each ANDed into every affinity term. */
  readonly poolSelector: Readonly<Record<string, string>>;
  readonly poolAlternatives: readonly INodeSelectorRequirement[];
  /** Several pools in the request's order, as preferences: the first weighs most. */
  readonly poolPreferences: readonly INodeSelectorRequirement[];
  readonly topology: TopologyConstraint | undefined;
}

export interface PodRole {
  /** The request's field path (`spec.leader`), for refusals. */
  readonly at: string;
  readonly container: 'leader' | 'worker';
  /** The serving port: the leader's container port. */
  readonly port: number | null;
}

export type PodTemplateResult = { ok: true; template: IPodTemplateSpec } | { ok: false; message: string };

/** LWS labels every pod of a group with one hash: pod affinity on it keeps a group, not the workload, together. */
export const LWS_NAME_LABEL = 'leaderworkerset.sigs.k8s.io/name';
const LWS_GROUP_KEY_LABEL = 'leaderworkerset.sigs.k8s.io/group-key';

export function podTemplate(
  pod: ExportPodSpec,
  model: PodTemplate,
  shared: SharedPodParts,
  role: PodRole,
): PodTemplateResult {
  const command = words(pod.command, `${role.at}.command`);
  if (!command.ok) return command;
  const args = words(pod.args, `${role.at}.args`);
  if (!args.ok) return args;
  const storage = podVolumes(pod);
  const container: IContainer = {
    name: role.container,
    image: model.image,
    ...(command.words.length > 0 ? { command: command.words } : {}),
    ...(args.words.length > 0 ? { args: args.words } : {}),
    ...(pod.workingDir ? { workingDir: pod.workingDir } : {}),
    ...(pod.imagePullPolicy ? { imagePullPolicy: pod.imagePullPolicy } : {}),
    ...nonEmpty('env', environment(pod)),
    resources: gpuResources(pod.compute ?? {}, model.resources.gpu),
    ...(role.port !== null ? { ports: [{ name: 'http', containerPort: role.port, protocol: 'TCP' }] } : {}),
    ...readinessProbe(pod),
    ...containerSecurity(pod),
    ...nonEmpty('volumeMounts', storage.mounts),
  };
  const nodeSelector = {
    ...shared.poolSelector,
    ...(model.constraints.nodeType ? { [NODE_LABELS.nodeType]: model.constraints.nodeType } : {}),
  };
  const affinity = affinityOf(model, shared);
  const supplemental = (pod.security?.supplementalGroups ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  const badGroup = supplemental.find((g) => !/^\d+$/.test(g));
  if (badGroup !== undefined)
    return fail(`${role.at}.security.supplementalGroups`, `"${badGroup}" is not a group id (examples: 1000,2000)`);
  const annotations = { ...pairs(pod.annotations), ...gpuAnnotations(model.resources.gpu) };
  return {
    ok: true,
    template: {
      metadata: {
        labels: { ...pairs(pod.labels), ...shared.labels },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: {
        schedulerName: shared.schedulerName,
        ...(shared.priorityClassName ? { priorityClassName: shared.priorityClassName } : {}),
        ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
        ...(affinity ? { affinity } : {}),
        ...nonEmpty('tolerations', tolerations(pod)),
        ...nonEmpty(
          'imagePullSecrets',
          (pod.imagePullSecrets ?? []).flatMap((s) => (s?.name && !s.exclude ? [{ name: s.name }] : [])),
        ),
        ...(supplemental.length > 0 ? { securityContext: { supplementalGroups: supplemental.map(Number) } } : {}),
        containers: [container],
        ...nonEmpty('volumes', storage.volumes),
      },
    },
  };
}

function words(
  text: string | null | undefined,
  at: string,
): { ok: true; words: string[] } | { ok: false; message: string } {
  if (!text) return { ok: true, words: [] };
  const split = shellWords(text);
  return split.ok ? split : fail(at, split.reason);
}

/** Run:ai's variables in a container's `env`: a value, or a reference to a secret, a config map or a pod field. */
function environment(pod: ExportPodSpec): IEnvVar[] {
  const env: IEnvVar[] = [];
  for (const v of pod.environmentVariables ?? []) {
    if (!v?.name || v.exclude) continue;
    if (v.secret?.name && v.secret.key)
      env.push({ name: v.name, valueFrom: { secretKeyRef: { name: v.secret.name, key: v.secret.key } } });
    else if (v.configMap?.name && v.configMap.key)
      env.push({ name: v.name, valueFrom: { configMapKeyRef: { name: v.configMap.name, key: v.configMap.key } } });
    else if (v.podFieldRef?.path)
      env.push({ name: v.name, valueFrom: { fieldRef: { fieldPath: v.podFieldRef.path } } });
    // A user credential is a Run:ai asset resolved by its control plane: it has no Kubernetes spelling here.
    else if (!v.userCredential) env.push({ name: v.name, value: v.value ?? '' });
  }
  return env;
}

function tolerations(pod: ExportPodSpec): IToleration[] {
  return (pod.tolerations ?? []).flatMap((t) => {
    if (!t || t.exclude) return [];
    return [
      {
        ...(t.key ? { key: t.key } : {}),
        operator: t.operator ?? 'Equal',
        ...(t.value != null && t.operator !== 'Exists' ? { value: t.value } : {}),
        // Run:ai's `Any` is Kubernetes' empty effect: every effect.
        ...(t.effect && t.effect !== 'Any' ? { effect: t.effect } : {}),
        ...(t.seconds != null ? { tolerationSeconds: t.seconds } : {}),
      },
    ];
  });
}

/**
 * Required node affinity: each of the request's terms (Kubernetes ORs them) ANDed with each pool alternative; the
 * pools' order as preferences; Run:ai's `podAffinity` (a group in one topology domain) as pod affinity per LWS group.
 */
function affinityOf(model: PodTemplate, shared: SharedPodParts): IAffinity | undefined {
  const userTerms: INodeSelectorRequirement[][] = (model.constraints.nodeAffinity ?? []).map((t) =>
    t.matchExpressions.map((e) => ({
      key: e.key,
      operator: e.operator,
      ...(e.values && e.values.length > 0 ? { values: [...e.values] } : {}),
    })),
  );
  const pools = shared.poolAlternatives;
  const terms = (userTerms.length > 0 ? userTerms : [[]])
    .flatMap((term) => (pools.length > 0 ? pools.map((pool) => [...term, pool]) : [term]))
    .filter((expressions) => expressions.length > 0)
    .map((matchExpressions) => ({ matchExpressions }));
  const nodeAffinity: IAffinity['nodeAffinity'] = {
    ...(terms.length > 0 ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } : {}),
    ...(shared.poolPreferences.length > 0
      ? {
          preferredDuringSchedulingIgnoredDuringExecution: shared.poolPreferences.map((e, i) => ({
            weight: 100 - i,
            preference: { matchExpressions: [e] },
          })),
        }
      : {}),
  };
  const topology = shared.topology;
  const term = topology && {
    topologyKey: topology.key,
    labelSelector: { matchLabels: { [LWS_NAME_LABEL]: shared.lwsName } },
    matchLabelKeys: [LWS_GROUP_KEY_LABEL],
  };
  const podAffinity: IAffinity['podAffinity'] =
    term === undefined
      ? undefined
      : topology!.required
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
  if (Object.keys(nodeAffinity).length === 0 && podAffinity === undefined) return undefined;
  return {
    ...(Object.keys(nodeAffinity).length > 0 ? { nodeAffinity } : {}),
    ...(podAffinity ? { podAffinity } : {}),
  };
}

function containerSecurity(pod: ExportPodSpec): Pick<IContainer, 'securityContext'> {
  const s = pod.security;
  if (!s) return {};
  const context: NonNullable<IContainer['securityContext']> = {
    ...(s.runAsUid != null ? { runAsUser: s.runAsUid } : {}),
    ...(s.runAsGid != null ? { runAsGroup: s.runAsGid } : {}),
    ...(s.runAsNonRoot != null ? { runAsNonRoot: s.runAsNonRoot } : {}),
    ...(s.readOnlyRootFilesystem != null ? { readOnlyRootFilesystem: s.readOnlyRootFilesystem } : {}),
    ...(s.capabilities && s.capabilities.length > 0 ? { capabilities: { add: [...s.capabilities] } } : {}),
    ...(s.seccompProfileType ? { seccompProfile: { type: s.seccompProfileType } } : {}),
  };
  return Object.keys(context).length > 0 ? { securityContext: context } : {};
}

/** Run:ai's name/value lists as a map, without the excluded ones. */
function pairs(list: readonly (NamedValue | null | undefined)[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list ?? []) if (p?.name && !p.exclude) out[p.name] = p.value ?? '';
  return out;
}

/** Run:ai's readiness probe: an HTTP GET (the only handler it has) and its timings. */
function readinessProbe(pod: ExportPodSpec): Pick<IContainer, 'readinessProbe'> {
  const probe = pod.probes?.readiness;
  const get = probe?.handler?.httpGet;
  if (!probe || !get?.port) return {};
  const timings = Object.fromEntries(TIMINGS.flatMap((k) => (probe[k] != null ? [[k, probe[k]]] : []))) as Partial<
    Record<(typeof TIMINGS)[number], number>
  >;
  return {
    readinessProbe: {
      httpGet: {
        port: get.port,
        ...(get.path ? { path: get.path } : {}),
        ...(get.host ? { host: get.host } : {}),
        ...(get.scheme ? { scheme: get.scheme } : {}),
      },
      ...timings,
    },
  };
}

const TIMINGS = [
  'initialDelaySeconds',
  'periodSeconds',
  'timeoutSeconds',
  'successThreshold',
  'failureThreshold',
] as const;

function nonEmpty<K extends string, T>(key: K, list: readonly T[]): { [P in K]?: T[] } {
  return (list.length > 0 ? { [key]: [...list] } : {}) as { [P in K]?: T[] };
}

function fail(field: string, reason: string): { ok: false; message: string } {
  return { ok: false, message: `${field}: ${reason}` };
}
