import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ImportRun } from "./import-run.entity";

/** An artifact whose findings an import changed: ImportRun.changedImages are the images resolving to these. */
@Entity({ name: "import_run_change" })
export class ImportRunChange {
  @PrimaryColumn({ type: "char", length: 36 })
  importRunId: string;

  @ManyToOne(() => ImportRun, { onDelete: "CASCADE" })
  @JoinColumn({ name: "importRunId" })
  importRun?: ImportRun;

  @PrimaryColumn({ type: "varchar", length: 100 })
  artifactDigest: string;
}
