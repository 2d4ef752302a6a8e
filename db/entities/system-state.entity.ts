import { Column, Entity, PrimaryColumn } from "typeorm";

/** One-off facts about the installation, such as whether the first ADMIN token was issued. */
@Entity({ name: "system_state" })
export class SystemState {
  @PrimaryColumn({ type: "varchar", length: 64 })
  key: string;

  @Column({ type: "varchar", length: 255 })
  value: string;
}
