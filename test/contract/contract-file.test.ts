import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getContract, operation, operations } from '../../src/contract/contract.ts';

const CONTRACT_URL = new URL('../../src/contract/runai-2.24-contract.json', import.meta.url);
const SOURCE_URL = new URL('../../src/contract/SOURCE.md', import.meta.url);

describe('the contract file', () => {
  it('is the recorded prose-free Run:ai 2.24 extract, unmodified', () => {
    const bytes = readFileSync(CONTRACT_URL);
    expect(bytes.length).toBe(78_263);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      'ab11bd1fac92d1878d8a2bbe51f9b5379f7a8e7264edc3a1c30c6a07252b646c',
    );
    const source = readFileSync(SOURCE_URL, 'utf8');
    expect(source).toContain('runai-professional-services/runapy');
    expect(source).toContain('.generator/swagger.json');
    expect(source).toContain('06000dd8f189375cbbeae0c92196c191af7e3a3e');
    expect(source).toContain('ab11bd1fac92d1878d8a2bbe51f9b5379f7a8e7264edc3a1c30c6a07252b646c');
  });

  it('loads as OpenAPI 3.0.3, version 2.24, with 151 component schemas and the 132 the platform operations answered add', () => {
    const contract = getContract();
    expect(contract.document.openapi).toBe('3.0.3');
    expect(contract.title).toBe('NVIDIA Run:ai');
    expect(contract.version).toBe('2.24');
    expect(contract.componentNames).toHaveLength(283);
    expect(Object.keys(contract.bundle.definitions as object)).toHaveLength(283);
  });

  it('lists the operations with the statuses the contract gives each', () => {
    const summary = operations().map((o) => [o.operationId, o.method, o.url, o.statuses.join(',')]);
    expect(summary).toEqual([
      ['create_distributed_inference', 'POST', '/api/v1/workloads/distributed-inferences', '202,400,401,403,503'],
      [
        'delete_distributed_inference',
        'DELETE',
        '/api/v1/workloads/distributed-inferences/:workloadId',
        '202,401,403,404,500,503',
      ],
      [
        'get_distributed_inference',
        'GET',
        '/api/v1/workloads/distributed-inferences/:workloadId',
        '200,401,403,404,500,503',
      ],
      [
        'update_distributed_inference_spec',
        'PATCH',
        '/api/v1/workloads/distributed-inferences/:workloadId',
        '202,401,403,404,500,503',
      ],
      ['get_workloads', 'GET', '/api/v1/workloads', '200,401,403,500,503'],
      ['get_workload', 'GET', '/api/v1/workloads/:workloadId', '200,401,403,404,500,503'],
      ['count_workloads', 'GET', '/api/v1/workloads/count', '200,401,403,500,503'],
      ['get_workload_pods', 'GET', '/api/v1/workloads/:workloadId/pods', '200,401,403,404,500,503'],
      ['grant_token', 'POST', '/api/v1/token', '200,400,500,503'],
      ['get_clusters', 'GET', '/api/v1/clusters', '200,401,403,404,500,503'],
      ['get_cluster_by_uuid', 'GET', '/api/v1/clusters/:clusterUuid', '200,401,403,404,500,503'],
      ['get_nodes', 'GET', '/api/v1/clusters/:clusterUuid/nodes', '200,401,403,404,500,503'],
      ['get_cluster_metrics', 'GET', '/api/v1/clusters/:clusterUuid/metrics', '200,207,400,401,403,404,422,500,503'],
      [
        'get_nodepool_metrics',
        'GET',
        '/api/v1/clusters/:clusterUuid/nodepools/:nodepoolName/metrics',
        '200,207,400,401,403,404,500,503',
      ],
      ['get_tenant_nodes', 'GET', '/api/v1/nodes', '200,401,403,404,500,503'],
      ['count_tenant_nodes', 'GET', '/api/v1/nodes/count', '200,400,401,403,500,503'],
      ['get_nodepools', 'GET', '/api/v1/node-pools', '200,400,401,403,503'],
      ['count_nodepools', 'GET', '/api/v1/node-pools/count', '200,400,401,403,503'],
      ['get_nodepool', 'GET', '/api/v1/node-pools/:nodepoolId', '200,400,401,403,404,500,503'],
      ['get_projects', 'GET', '/api/v1/org-unit/projects', '200,400,401,403,503'],
      ['count_projects', 'GET', '/api/v1/org-unit/projects/count', '200,400,401,403,503'],
      ['get_project', 'GET', '/api/v1/org-unit/projects/:projectId', '200,401,403,404,503'],
      ['get_project_metrics', 'GET', '/api/v1/org-unit/projects/:projectId/metrics', '200,207,400,401,403,404,500,503'],
      ['get_departments', 'GET', '/api/v1/org-unit/departments', '200,400,401,403,503'],
      ['count_departments', 'GET', '/api/v1/org-unit/departments/count', '200,400,401,403,503'],
      ['get_department', 'GET', '/api/v1/org-unit/departments/:departmentId', '200,401,403,404,503'],
      ['get_workload_events', 'GET', '/api/v1/workloads/:workloadId/events', '200,401,403,404,500,503'],
      ['get_workload_history', 'GET', '/api/v1/workloads/:workloadId/history', '200,401,403,404,500,503'],
      ['get_workload_metrics', 'GET', '/api/v1/workloads/:workloadId/metrics', '200,207,400,401,403,404,500,503'],
      [
        'get_workload_pod_metrics',
        'GET',
        '/api/v1/workloads/:workloadId/pods/:podId/metrics',
        '200,207,400,401,403,404,500,503',
      ],
      ['list_pods', 'GET', '/api/v1/workloads/pods', '200,401,403,404,500,503'],
      ['count_pods', 'GET', '/api/v1/workloads/pods/count', '200,401,403,500,503'],
      ['get_workloads_telemetry', 'GET', '/api/v1/workloads/telemetry', '200,400,401,403,404,500,503'],
      ['create_training1', 'POST', '/api/v1/workloads/trainings', '202,400,401,403,503'],
      ['get_training', 'GET', '/api/v1/workloads/trainings/:workloadId', '200,401,403,404,500,503'],
      ['delete_training', 'DELETE', '/api/v1/workloads/trainings/:workloadId', '202,401,403,404,500,503'],
      ['suspend_training', 'POST', '/api/v1/workloads/trainings/:workloadId/suspend', '202,401,403,404,500,503'],
      ['resume_training', 'POST', '/api/v1/workloads/trainings/:workloadId/resume', '202,401,403,404,500,503'],
    ]);
  });

  it('resolves parameters, bodies and shared responses', () => {
    const create = operation('create_distributed_inference');
    expect(create.path).toBe('/api/v1/workloads/distributed-inferences');
    expect(create.requestBody).toMatchObject({
      required: false,
      mediaType: 'application/json',
      schema: { $ref: 'runai#/definitions/DistributedInferenceCreationRequest' },
    });
    expect(create.responses.find((r) => r.status === 400)).toMatchObject({
      component: '400BadRequest',
      schema: { $ref: 'runai#/definitions/Error' },
    });
    expect(operation('delete_distributed_inference').responses.find((r) => r.status === 202)?.schema).toEqual({
      $ref: 'runai#/definitions/HttpResponse',
    });
    const list = operation('get_workloads');
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'query:deleted',
      'query:offset',
      'query:limit',
      'query:sortOrder',
      'query:sortBy',
      'query:filterBy',
      'query:search',
    ]);
    expect(list.parameters.find((p) => p.name === 'filterBy')).toMatchObject({ style: 'form', explode: false });
    expect(operation('get_workload_pods').parameters[0]).toMatchObject({
      name: 'workloadId',
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    });
    expect(() => operation('no_such_operation')).toThrow(/unknown operationId/);
  });

  it('is read from src/ at run time, never from the research folder', () => {
    const files = readdirSync(new URL('../../src/', import.meta.url), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect(readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8')).not.toMatch(
        /shared\/research|\.\.\/shared/,
      );
  });
});
