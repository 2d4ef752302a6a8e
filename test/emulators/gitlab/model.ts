/**
 * What the GitLab emulator knows: accounts with their access tokens (scopes,
 * state) and member access levels per project, and the projects with their
 * container repositories and tags. Ids are assigned in declaration order.
 *
 * Permission rules, from GitLab's source (lib/gitlab/auth.rb,
 * app/services/auth/container_registry_authentication_service.rb):
 *  - REST: any scope may read /personal_access_tokens/self; everything else
 *    read here needs `api` or `read_api`.
 *  - /jwt/auth: a token whose scopes give no registry ability (`api`,
 *    `read_api`, `read_registry`, `write_registry`) gets 403 DENIED; pull
 *    needs the read_container_image ability (`api`, `read_api`,
 *    `read_registry`) and the right to read the project's registry:
 *    Reporter or above on a private project, anyone on a public one.
 *  - GitLab ignores the username that comes with an access token.
 */
import type { BuiltImage } from "../../registry/image-builder";

export const REPORTER = 20;

export interface GitLabAccount {
  username: string;
  /** The access token (the integration's secret). */
  token: string;
  scopes: string[];
  /** Member access level per project path (`group/project` → 10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner). */
  members: Record<string, number>;
  revoked?: boolean;
  /** false: expired or deactivated. */
  active?: boolean;
}

export interface CatalogTag {
  name: string;
  /** The tag detail's `created_at`: an ISO date, null for none; default the time it was pushed. */
  createdAt?: string | null;
  /** The image under the tag; default a small one per repository. */
  image?: BuiltImage;
  /** false: only listed, with a made-up digest, nothing pushed (a benchmark's tags that are never pulled). */
  pushed?: boolean;
}

export interface CatalogRepository {
  /** "" for the project's root image; else the path below the project (`api`, `tools/cli`). */
  name: string;
  /** GitLab's repository `status` (`delete_scheduled`, `delete_ongoing`, `delete_failed`). */
  status?: string | null;
  tags: CatalogTag[];
}

export interface CatalogProject {
  /** `group[/subgroup]/project` */
  path: string;
  visibility?: "private" | "public";
  repositories: CatalogRepository[];
}

export interface Project {
  id: number;
  path: string;
  name: string;
  visibility: "private" | "public";
  repositories: Repository[];
}

export interface Tag {
  name: string;
  digest: string;
  configDigest: string;
  size: number;
  createdAt: string | null;
}

export interface Repository {
  id: number;
  project: Project;
  name: string;
  /** `project/name`, or the project's path for the root image. */
  path: string;
  status: string | null;
  createdAt: string;
  tags: Map<string, Tag>;
}

export class GitLabModel {
  readonly projects: Project[] = [];
  private nextRepositoryId = 1;

  constructor(readonly accounts: GitLabAccount[]) {}

  addProject(path: string, visibility: "private" | "public" = "private"): Project {
    const project: Project = { id: this.projects.length + 1, path, name: path.split("/").pop()!, visibility, repositories: [] };
    this.projects.push(project);
    return project;
  }

  project(idOrPath: string): Project | undefined {
    return /^\d+$/.test(idOrPath) ? this.projects.find((p) => p.id === Number(idOrPath)) : this.projects.find((p) => p.path === idOrPath);
  }

  repository(project: Project, name: string, status: string | null = null): Repository {
    let repository = project.repositories.find((r) => r.name === name);
    if (!repository) {
      repository = { id: this.nextRepositoryId++, project, name, path: name ? `${project.path}/${name}` : project.path, status, createdAt: new Date().toISOString(), tags: new Map() };
      project.repositories.push(repository);
    }
    return repository;
  }

  /** The project a registry path belongs to: the longest project path it starts with. */
  projectOfPath(path: string): Project | undefined {
    return this.projects
      .filter((p) => path === p.path || path.startsWith(`${p.path}/`))
      .sort((a, b) => b.path.length - a.path.length)[0];
  }

  byToken(token: string | undefined): GitLabAccount | undefined {
    return token ? this.accounts.find((a) => a.token === token) : undefined;
  }

  static usable(account: GitLabAccount): boolean {
    return !account.revoked && account.active !== false;
  }

  static accessLevel(account: GitLabAccount | null, project: Project): number {
    return account?.members[project.path] ?? 0;
  }

  /** Visible at all: a member at any level, or public. */
  static canSee(account: GitLabAccount | null, project: Project): boolean {
    return project.visibility === "public" || GitLabModel.accessLevel(account, project) > 0;
  }

  /** May read the project's container registry (a private registry needs Reporter). */
  static canReadRegistry(account: GitLabAccount | null, project: Project): boolean {
    return project.visibility === "public" || GitLabModel.accessLevel(account, project) >= REPORTER;
  }

  static readsApi(account: GitLabAccount): boolean {
    return account.scopes.some((scope) => scope === "api" || scope === "read_api");
  }

  static hasRegistryAbility(account: GitLabAccount): boolean {
    return account.scopes.some((scope) => ["api", "read_api", "read_registry", "write_registry"].includes(scope));
  }

  static mayPullImages(account: GitLabAccount): boolean {
    return account.scopes.some((scope) => ["api", "read_api", "read_registry"].includes(scope));
  }
}
