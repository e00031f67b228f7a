import type { DepartmentSpec } from '../../sim/cluster/index.ts';

export interface ProjectInfo {
  readonly id: string;
  readonly name: string;
  readonly departmentId: string;
  readonly departmentName: string;
}

/**
 * Run:ai names projects and departments by numeric string ids in the API. lwsim gives departments the ids 1, 2, ...
 * and projects 101, 102, ... in the order the cluster file lists them, so ids are stable across restarts.
 */
export class Organisation {
  readonly projects: readonly ProjectInfo[];
  readonly departments: readonly {
    readonly id: string;
    readonly name: string;
    readonly projectIds: readonly string[];
  }[];
  private readonly byId: ReadonlyMap<string, ProjectInfo>;
  private readonly byName: ReadonlyMap<string, ProjectInfo>;

  constructor(departments: readonly DepartmentSpec[]) {
    const projects: ProjectInfo[] = [];
    this.departments = departments.map((d, i) => {
      const departmentId = String(i + 1);
      const ids = d.projects.map((p) => {
        const info = { id: String(101 + projects.length), name: p.name, departmentId, departmentName: d.name };
        projects.push(info);
        return info.id;
      });
      return { id: departmentId, name: d.name, projectIds: ids };
    });
    this.projects = projects;
    this.byId = new Map(projects.map((p) => [p.id, p]));
    this.byName = new Map(projects.map((p) => [p.name, p]));
  }

  project(id: string): ProjectInfo | undefined {
    return this.byId.get(id);
  }

  projectNamed(name: string): ProjectInfo | undefined {
    return this.byName.get(name);
  }
}
