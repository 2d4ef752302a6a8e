/** Every graphile-worker task drydock has (DESIGN §5); createTaskList must implement each. */
export const TASK_IDENTIFIERS = ["scheduler_tick", "registry_sync", "image_scan", "vulndb_import", "reconcile"] as const;

export type TaskIdentifier = (typeof TASK_IDENTIFIERS)[number];
