import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ClusterLayout, type ClusterSpec } from '../../sim/cluster/index.ts';
import { SchemaCheck } from '../../sim/config/schema-check.ts';
import {
  formatConfigError,
  SourceDocument,
  type ConfigError,
  type PathSegment,
} from '../../sim/config/source-document.ts';
import { parseDuration, type Micros } from '../../sim/engine/index.ts';
import { isPriorityClassName, resolvePriority } from '../../sim/scheduler/index.ts';
import { expandFaults, type FaultSpec } from '../../sim/scenario/faults.ts';
import { expandGenerator, type Choice, type GeneratorSpec, type Spread } from '../../sim/scenario/generators.ts';
import type { Command } from '../../sim/simulator/commands.ts';
import type { Scenario, ScenarioStep } from '../../sim/scenario/scenario.ts';
import { streamRandom } from '../../sim/scenario/seeds.ts';
import { readDelays, readDelaySpec, type RawDelays, type RawDelaySpec } from '../../sim/workloads/delays-block.ts';
import { hostShare, syntheticSpec } from '../../sim/workloads/synthetic-spec.ts';
import { contractAjv } from '../contract/ajv.ts';
import { contractRef } from '../contract/contract.ts';
import { fieldPath } from '../contract/validation-message.ts';
import { translateCreation, type CreationRequest } from '../runai/translate.ts';
import { parseClusterText, readClusterDocument, type ClusterDocumentResult } from '../config/cluster-document.ts';
import { completeCluster, type LoadedCluster } from '../config/load-cluster.ts';
import type { LocalMachine } from '../hardware/index.ts';
import { readTraffic, type RawTraffic } from '../serving/read-traffic.ts';
import { SCENARIO_SCHEMA } from './scenario-schema.ts';

export type LoadedScenario = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

const schemaCheck = new SchemaCheck(SCENARIO_SCHEMA);

/**
 * Reads a scenario file into a replayable Scenario: the cluster (a file beside it, or inline), the timeline with
 * every `create` validated exactly as the API validates it, and the generators expanded with the seed. Errors
 * name the file, the line and what is wrong.
 */
export async function loadScenarioFile(
  file: string,
  options: { seed?: number; machine?: LocalMachine } = {},
): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`] };
  }
  const parsed = SourceDocument.parse(file, text);
  if (!parsed.ok) return fail(parsed.errors);
  const schemaErrors = schemaCheck.check(parsed.value, parsed.source);
  if (schemaErrors.length > 0) return fail(schemaErrors);
  const raw = parsed.value as RawScenario;
  const cluster = await loadCluster(raw.cluster, parsed.source, dirname(file), options.machine);
  if (!cluster.ok) return cluster;
  const reader = new ScenarioReader(parsed.source, cluster);
  const scenario = reader.read(raw, file, options.seed);
  return reader.errors.length > 0 ? fail(reader.errors) : { ok: true, scenario: scenario! };
}

function fail(errors: readonly ConfigError[]): { ok: false; errors: string[] } {
  return { ok: false, errors: errors.map(formatConfigError) };
}

async function loadCluster(
  value: unknown,
  source: SourceDocument,
  base: string,
  machine: LocalMachine | undefined,
): Promise<LoadedCluster> {
  let result: ClusterDocumentResult;
  if (typeof value === 'string') {
    const path = resolve(base, value);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      return fail([
        source.errorAt(
          ['cluster'],
          `cannot read cluster file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        ),
      ]);
    }
    result = parseClusterText(path, text);
  } else {
    result = readClusterDocument(value, source, ['cluster']);
  }
  if (!result.ok) return fail(result.errors);
  return completeCluster(result.document, `${source.file}: cluster`, machine);
}

type ChoiceValue = number | string | (number | string)[] | Record<string, number>;
interface RawScenario {
  name: string;
  seed?: number;
  until: string | number;
  sample?: string | number;
  cluster: unknown;
  delays?: RawDelays;
  timeline?: Record<string, unknown>[];
  faults?: { start?: string | number; every: string | number; repair: RawDelaySpec; nodePools?: string[] };
  generators?: {
    name: string;
    kind: 'inference' | 'training';
    count: number;
    start?: string | number;
    every: string | number;
    project: ChoiceValue;
    gpus: ChoiceValue;
    workers?: ChoiceValue;
    replicas?: ChoiceValue;
    duration?: RawDelaySpec;
    priorityClass?: string;
    nodePools?: string[];
    topology?: { level: string; required?: boolean };
  }[];
}

/** Semantic checks and translation, collecting every located error. */
class ScenarioReader {
  readonly errors: ConfigError[] = [];
  private readonly projects: Map<string, string>; // id or name -> name
  private readonly cluster: ClusterSpec;
  private readonly validateCreation = contractAjv('body').getSchema(
    contractRef('DistributedInferenceCreationRequest'),
  )!;

  constructor(
    private readonly source: SourceDocument,
    /** The cluster file read: its spec, and the scheduler config and delays a scenario starts from. */
    private readonly loaded: Extract<LoadedCluster, { ok: true }>,
  ) {
    this.cluster = loaded.spec;
    const names = this.cluster.departments.flatMap((d) => d.projects.map((p) => p.name));
    // API ids (101, 102, ... in file order) and plain names both name a project in a scenario.
    this.projects = new Map([
      ...names.map((n, i) => [String(101 + i), n] as const),
      ...names.map((n) => [n, n] as const),
    ]);
  }

  read(raw: RawScenario, file: string, seedOverride: number | undefined): Scenario | undefined {
    const seed = seedOverride ?? raw.seed ?? 1;
    const until = this.duration(raw.until, ['until']);
    const sampleEvery =
      raw.sample !== undefined ? this.duration(raw.sample, ['sample']) : Math.max(1_000_000, Math.round(until / 288));
    if (raw.sample !== undefined && sampleEvery < 1_000_000) this.error(['sample'], 'must be at least 1s');
    else if (until / sampleEvery > 100_000)
      this.error(['sample'], `would take ${Math.ceil(until / sampleEvery)} samples; at most 100,000`);
    // A scenario's own delays go over the cluster file's, key by key.
    const delays = readDelays(raw.delays, this.loaded.delays, ['delays'], (at, message) => this.error(at, message));
    const steps: ScenarioStep[] = [];
    (raw.timeline ?? []).forEach((item, i) => {
      const at = this.duration(item.at as string | number, ['timeline', i, 'at']);
      const verbs = Object.keys(item).filter((k) => k !== 'at' && k !== 'traffic');
      if (verbs.length !== 1)
        return this.error(['timeline', i], `one verb per item, got ${verbs.join(', ') || 'none'}`);
      if (item.traffic !== undefined && item.create === undefined)
        return this.error(['timeline', i, 'traffic'], 'traffic rides on a create');
      const command = this.command(item, ['timeline', i]);
      if (!command) return;
      if (item.traffic === undefined || command.type !== 'create') return void steps.push({ at, command });
      const traffic = readTraffic(
        item.traffic as RawTraffic,
        command.spec,
        this.cluster,
        dirname(file),
        ['timeline', i, 'traffic'],
        (path, message) => this.error(path, message),
      );
      if (traffic) steps.push({ at, command, traffic });
    });
    (raw.generators ?? []).forEach((g, i) => {
      const spec = this.generator(g, ['generators', i]);
      if (spec) steps.push(...expandGenerator(spec, streamRandom(seed, g.name)));
    });
    if (raw.faults !== undefined) {
      const spec = this.faults(raw.faults, until);
      if (spec) steps.push(...expandFaults(spec, streamRandom(seed, 'faults')));
    }
    if (this.errors.length > 0) return undefined;
    steps.sort((a, b) => a.at - b.at);
    return {
      name: raw.name,
      file,
      seed,
      until,
      cluster: this.cluster,
      delays,
      scheduler: this.loaded.scheduler,
      sampleEvery,
      steps: steps.filter((s) => s.at <= until),
    };
  }

  /** A timeline item's verb as the command it stands for. */
  private command(item: Record<string, unknown>, at: PathSegment[]): Command | undefined {
    if (item.create !== undefined) return this.create(item.create as Record<string, unknown>, [...at, 'create']);
    if (item.train !== undefined) return this.train(item.train as Record<string, unknown>, [...at, 'train']);
    if (item.patch !== undefined) {
      const patch = item.patch as { name: string; replicas: number };
      return { type: 'scale', workload: { name: patch.name }, replicas: patch.replicas };
    }
    if (item.delete !== undefined)
      return { type: 'delete', workload: { name: (item.delete as { name: string }).name } };
    const fault = item.fault as { node?: string; ready?: boolean; workload?: string; pod?: string };
    if (fault.node !== undefined) return { type: 'node', node: fault.node, ready: fault.ready! };
    return { type: 'fail-pod', workload: { name: fault.workload! }, pod: fault.pod! };
  }

  /** A Run:ai creation body: clusterId may be left out, and projectId may be a project's name. */
  private create(body: Record<string, unknown>, at: PathSegment[]): Command | undefined {
    const request = { clusterId: this.cluster.id, ...body } as Record<string, unknown>;
    const projectName = this.projects.get(String(request.projectId ?? ''));
    if (projectName !== undefined)
      request.projectId = String(
        101 + this.cluster.departments.flatMap((d) => d.projects).findIndex((p) => p.name === projectName),
      );
    if (!this.validateCreation(request)) {
      for (const e of this.validateCreation.errors ?? []) {
        const path = fieldPath(e.instancePath);
        this.errors.push(
          this.source.errorAt(
            [
              ...at,
              ...path
                .split(/[.[\]]+/)
                .filter((p) => p !== '')
                .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
            ],
            `${path || 'body'}: ${e.message ?? e.keyword}`,
          ),
        );
      }
      return undefined;
    }
    const translated = translateCreation(request as unknown as CreationRequest, {
      clusterId: this.cluster.id,
      projectName: (id) => this.projects.get(id),
    });
    if (!translated.ok) {
      this.errors.push(this.source.errorAt(at, translated.message));
      return undefined;
    }
    return {
      type: 'create',
      spec: translated.spec,
      useGivenNameAsPrefix: request.useGivenNameAsPrefix === true,
      createdBy: 'scenario',
      request: JSON.stringify(request),
    };
  }

  /** A preemptible training gang of `1 + workers` pods that runs for `duration`. */
  private train(raw: Record<string, unknown>, at: PathSegment[]): Command | undefined {
    const t = raw as {
      name: string;
      project: string;
      gpus: number;
      workers?: number;
      replicas?: number;
      duration: string | number;
      priorityClass?: string;
      nodePools?: string[];
    };
    const project = this.projects.get(t.project);
    if (project === undefined) return this.error([...at, 'project'], `unknown project "${t.project}"`);
    const className = t.priorityClass ?? 'low';
    if (!isPriorityClassName(className))
      return this.error([...at, 'priorityClass'], `unknown priority class "${className}"`);
    const spec = syntheticSpec({
      name: t.name,
      project,
      replicas: t.replicas ?? 1,
      workers: t.workers ?? 0,
      gpus: t.gpus,
      image: 'training',
      host: hostShare(t.gpus),
      nodePools: t.nodePools ?? [],
      priority: resolvePriority(className),
      runFor: this.duration(t.duration, [...at, 'duration']),
    });
    return {
      type: 'create',
      spec,
      useGivenNameAsPrefix: false,
      createdBy: 'scenario',
      request: JSON.stringify({ train: t }),
    };
  }

  private generator(g: NonNullable<RawScenario['generators']>[number], at: PathSegment[]): GeneratorSpec | undefined {
    const projects = this.choice<string>(g.project, [...at, 'project'], (v) => {
      const name = this.projects.get(String(v));
      return name === undefined ? { ok: false, reason: `unknown project "${v}"` } : { ok: true, value: name };
    });
    const gpus = this.choice<number>(g.gpus, [...at, 'gpus'], numeric(0, 64));
    const workers = this.choice<number>(g.workers ?? 0, [...at, 'workers'], numeric(0, 1000, true));
    const replicas = this.choice<number>(g.replicas ?? 1, [...at, 'replicas'], numeric(1, 1000, true));
    if (g.priorityClass !== undefined && !isPriorityClassName(g.priorityClass))
      return this.error([...at, 'priorityClass'], `unknown priority class "${g.priorityClass}"`);
    if (g.kind === 'training' && g.duration === undefined)
      return this.error([...at, 'duration'], 'a training generator needs a duration');
    const level = g.topology && this.cluster.topologyLevels.find((l) => l.name === g.topology!.level);
    if (g.topology && !level) {
      const known = this.cluster.topologyLevels.map((l) => l.name).join(', ') || 'none';
      return this.error(
        [...at, 'topology', 'level'],
        `unknown topology level "${g.topology.level}" (levels: ${known})`,
      );
    }
    if (!projects || !gpus || !workers || !replicas) return undefined;
    const meanInterval = this.duration(g.every, [...at, 'every']);
    if (meanInterval <= 0) return this.error([...at, 'every'], 'must be a positive duration');
    return {
      name: g.name,
      kind: g.kind,
      count: g.count,
      start: g.start === undefined ? 0 : this.duration(g.start, [...at, 'start']),
      meanInterval,
      projects,
      gpus,
      workers,
      replicas,
      ...(g.duration ? { duration: this.spread(g.duration, [...at, 'duration']) } : {}),
      ...(g.priorityClass !== undefined && isPriorityClassName(g.priorityClass)
        ? { priorityClass: g.priorityClass }
        : {}),
      nodePools: g.nodePools ?? [],
      ...(level ? { topology: { key: level.label, required: g.topology?.required ?? false } } : {}),
    };
  }

  private faults(raw: NonNullable<RawScenario['faults']>, until: Micros): FaultSpec | undefined {
    const layout = ClusterLayout.build(this.cluster);
    if (!layout.ok) return undefined;
    const pools = raw.nodePools ?? layout.layout.pools.map((p) => p.name);
    const nodes: string[] = [];
    pools.forEach((name, i) => {
      const pool = layout.layout.poolByName(name);
      if (pool === undefined) return this.error(['faults', 'nodePools', i], `unknown node pool "${name}"`);
      for (const n of pool.nodes) nodes.push(layout.layout.nodes[n]!.name);
    });
    const meanInterval = this.duration(raw.every, ['faults', 'every']);
    if (meanInterval <= 0) return this.error(['faults', 'every'], 'must be a positive duration');
    const start = raw.start === undefined ? 0 : this.duration(raw.start, ['faults', 'start']);
    return { start, until, meanInterval, repair: this.spread(raw.repair, ['faults', 'repair']), nodes };
  }

  /** A choice as files write it: `8`, `[1, 2, 8]` or `{ "8": 1, "1": 4 }` (value: weight). */
  private choice<T>(
    value: ChoiceValue,
    at: PathSegment[],
    check: (v: string | number) => Checked<T>,
  ): Choice<T> | undefined {
    const entries: [string | number, number][] = Array.isArray(value)
      ? value.map((v) => [v, 1])
      : typeof value === 'object'
        ? Object.entries(value)
        : [[value, 1]];
    const values: T[] = [];
    if (entries.every(([, w]) => w === 0)) return this.error(at, 'the weights must not all be zero');
    for (const [v] of entries) {
      const checked = check(v);
      if (!checked.ok) return this.error(at, checked.reason);
      values.push(checked.value);
    }
    return { values, weights: entries.map(([, w]) => w) };
  }

  private spread(raw: RawDelaySpec, at: PathSegment[]): Spread {
    return readDelaySpec(raw, at, (path, message) => this.error(path, message));
  }

  private duration(value: string | number, at: PathSegment[]): Micros {
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.value;
    this.error(at, parsed.reason);
    return 0;
  }

  private error(at: PathSegment[], message: string): undefined {
    this.errors.push(this.source.errorAt(at, message));
    return undefined;
  }
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Numbers may come as keys of a weight map (strings). */
function numeric(min: number, max: number, integer = false): (v: string | number) => Checked<number> {
  return (v) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      return {
        ok: false,
        reason: `${JSON.stringify(v)} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`,
      };
    }
    return { ok: true, value: n };
  };
}
