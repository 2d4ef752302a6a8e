import { Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";
import { Role } from "../enums";

@ObjectType({ description: "An API token's record; the token itself is shown once, when created" })
@Entity({ name: "api_token" })
export class ApiToken {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Field()
  @Column({ type: "varchar", length: 100 })
  name: string;

  @Field(() => Role)
  @Column({ type: "enum", enum: Role })
  role: Role;

  /** SHA-256 of the token: tokens are random and long, so a slow hash adds nothing. */
  @Column({ type: "char", length: 64, unique: true })
  tokenHash: string;

  @Field()
  @CreateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)" })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  lastUsedAt: Date | null;
}
