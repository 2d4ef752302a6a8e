import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * A running worker process and its heartbeat. A row whose beat is older than
 * the lost-after period marks a dead process: its running attempts end as
 * WORKER_LOST and its graphile jobs are unlocked (graphile-worker itself
 * would wait 4 hours).
 */
@Entity({ name: "worker_instance" })
@Index(["lastBeatAt"])
export class WorkerInstance {
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Column({ type: "varchar", length: 255 })
  host: string;

  @Column({ type: "int" })
  pid: number;

  /** graphile-worker's ids of this process's worker slots: what to unlock when it dies. */
  @Column({ type: "json" })
  graphileWorkerIds: string[];

  @Column({ type: "datetime", precision: 3 })
  startedAt: Date;

  @Column({ type: "datetime", precision: 3 })
  lastBeatAt: Date;
}
