/** The parts of Harbor API v2.0 answers drydock reads (registry-apis.md §2). */

export interface HarborProject {
  project_id: number;
  name: string;
  /** The caller's highest role in the project; 0 or absent for robots and for projects seen without membership (public ones). */
  current_user_role_id?: number;
  current_user_role_ids?: number[] | null;
  /** Set on proxy-cache projects: the upstream registry they mirror. */
  registry_id?: number | null;
}

export interface HarborRepository {
  /** Includes the project: `team/api`. */
  name: string;
}

export interface HarborTag {
  name: string;
}

export interface HarborArtifact {
  type?: string;
  digest: string;
  manifest_media_type?: string;
  push_time?: string | null;
  extra_attrs?: { created?: string | null } | null;
  tags?: HarborTag[] | null;
}

export interface HarborPermission {
  resource: string;
  action: string;
}

export interface HarborUser {
  username: string;
  sysadmin_flag?: boolean;
}
