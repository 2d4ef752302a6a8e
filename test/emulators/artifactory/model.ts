/**
 * The emulated instance's accounts, repositories and permissions
 * (registry-apis.md §4): users with a password (or API key, which Artifactory
 * takes as the Basic password too) and access tokens; per repository the
 * actions a user holds. `read` lets a user browse and pull; any action makes
 * the repository visible in `/api/repositories`, so an account can see a
 * repository it may not read.
 */
import type { ParsedAuthorization } from "../shared";

export type RepositoryType = "LOCAL" | "REMOTE" | "VIRTUAL" | "FEDERATED";
export type PermissionAction = "read" | "annotate" | "deploy";

export interface ArtifactoryUser {
  password?: string;
  /** Access tokens: sent as Bearer, or as the Basic password with this user name. */
  accessTokens?: string[];
  /** Repository key → the actions this user holds there. */
  permissions: Record<string, PermissionAction[]>;
}

export interface RepositoryConfig {
  key: string;
  type: RepositoryType;
  /** Serve this repository's Docker endpoint on a port of its own (the PORT method). */
  port?: boolean;
}

export type Identity = { user: string } | "anonymous" | "invalid";

export class AccessModel {
  constructor(
    readonly users: Record<string, ArtifactoryUser>,
    readonly repositories: readonly RepositoryConfig[],
  ) {}

  /** Who the credentials are; a wrong password or an unknown token is "invalid". */
  identify(authorization: ParsedAuthorization | null): Identity {
    if (!authorization) return "anonymous";
    if (authorization.scheme === "basic") {
      const user = this.users[authorization.username];
      if (!user) return "invalid";
      const ok = (user.password !== undefined && authorization.password === user.password) || (user.accessTokens ?? []).includes(authorization.password);
      return ok ? { user: authorization.username } : "invalid";
    }
    if (authorization.scheme === "bearer") {
      const owner = Object.entries(this.users).find(([, user]) => (user.accessTokens ?? []).includes(authorization.token));
      return owner ? { user: owner[0] } : "invalid";
    }
    return "invalid";
  }

  canRead(user: string, key: string): boolean {
    return (this.users[user]?.permissions[key] ?? []).includes("read");
  }

  sees(user: string, key: string): boolean {
    return (this.users[user]?.permissions[key] ?? []).length > 0;
  }

  repository(key: string): RepositoryConfig | undefined {
    return this.repositories.find((repository) => repository.key === key);
  }
}
