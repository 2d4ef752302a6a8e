import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from "typeorm";
import { AuthMethod, RegistryType, RepositoryPathMethod } from "../enums";

@ObjectType({ description: "An integrated container image registry" })
@Entity({ name: "registry" })
export class Registry {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Field()
  @Column({ type: "varchar", length: 100 })
  name: string;

  /** Lower-cased name; its unique index makes names unique case-insensitively. */
  @Column({ type: "varchar", length: 100, unique: true, collation: "utf8mb4_bin" })
  nameKey: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 1000, nullable: true })
  description: string | null;

  @Field(() => RegistryType)
  @Column({ type: "enum", enum: RegistryType })
  type: RegistryType;

  @Field({ description: "Registry (distribution API) address" })
  @Column({ type: "varchar", length: 2048 })
  url: string;

  @Field(() => String, { nullable: true, description: "Vendor management API address, where the type has one" })
  @Column({ type: "varchar", length: 2048, nullable: true })
  apiUrl: string | null;

  @Field(() => RepositoryPathMethod, { nullable: true })
  @Column({ type: "enum", enum: RepositoryPathMethod, nullable: true })
  repositoryPathMethod: RepositoryPathMethod | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 255, nullable: true })
  repositoryKey: string | null;

  @Field({ description: "Accept http:// and unverified TLS for this registry only" })
  @Column({ type: "boolean", default: false })
  insecure: boolean;

  @Field(() => String, { nullable: true, description: "PEM CA bundle trusted for this registry" })
  @Column({ type: "text", nullable: true })
  caCertificate: string | null;

  @Field(() => AuthMethod)
  @Column({ type: "enum", enum: AuthMethod })
  authMethod: AuthMethod;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 255, nullable: true })
  username: string | null;

  /** AES-256-GCM ciphertext (see lib/secret-box.ts); never exposed. */
  @Column({ type: "text", nullable: true })
  secretCiphertext: string | null;

  /** The push webhook's path token, sealed like the secret; null until one is issued (rotateWebhookSecret). */
  @Column({ type: "text", nullable: true })
  webhookSecretCiphertext: string | null;

  /** Sealed key of Nexus's webhook HMAC (X-Nexus-Webhook-Signature); never exposed. */
  @Column({ type: "text", nullable: true })
  webhookSigningKeyCiphertext: string | null;

  @Field(() => Int)
  @Column({ type: "int", default: 60 })
  scanTimeoutMinutes: number;

  @Field()
  @CreateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)" })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)", onUpdate: "CURRENT_TIMESTAMP(3)" })
  updatedAt: Date;

  @Field({ description: "Whether a password, API key or token is stored (it is never returned)" })
  get hasSecret(): boolean {
    return this.secretCiphertext !== null;
  }

  @Field({ description: "Whether push webhooks must carry a valid X-Nexus-Webhook-Signature (the key is never returned)" })
  get hasWebhookSigningKey(): boolean {
    return this.webhookSigningKeyCiphertext !== null;
  }
}
