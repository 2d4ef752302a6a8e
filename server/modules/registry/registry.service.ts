import { removeUnreferencedArtifacts } from "../../../workers/scan/artifact-store";
import { randomUUID } from "node:crypto";
import { type DataSource, type EntityManager, In } from "typeorm";
import { PullPolicy, Registry, ScanJob } from "../../../db/entities";
import { AuthMethod } from "../../../db/enums";
import { BadUserInputError, ConflictError, NotFoundError } from "../../../lib/errors";
import type { SecretBox } from "../../../lib/secret-box";
import { type Connection, decodeCursor, encodeCursor, type PageArgs, toConnection } from "../../graphql/connection";
import type { JobQueue } from "../../jobs";
import { defaultPolicy } from "../policy/policy-defaults";
import type { AddRegistryInput, EditRegistryInput, RegistryFilter } from "./registry.inputs";
import { originOf } from "../../../workers/registry/distribution/endpoint";
import { checkRegistryDraft, normaliseAddresses, type RegistryDraft } from "./registry-rules";
import { REGISTRY_TYPES } from "./registry-types";
import { newWebhookToken, webhookPath } from "../../webhooks/webhook-secret";

export function nameKeyOf(name: string): string {
  return name.trim().normalize("NFC").toLowerCase();
}

export class RegistryService {
  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
    private readonly jobs: JobQueue,
    private readonly defaultTimezone: string,
  ) {}

  async get(id: string): Promise<Registry> {
    const registry = await this.db.getRepository(Registry).findOneBy({ id });
    if (!registry) throw new NotFoundError(`registry ${id} does not exist`, { ids: [id] });
    return registry;
  }

  async list(page: PageArgs, filter: RegistryFilter | null | undefined): Promise<Connection<Registry>> {
    const query = this.db.getRepository(Registry).createQueryBuilder("r");
    if (filter?.type) query.andWhere("r.type = :type", { type: filter.type });
    if (filter?.nameContains) {
      const escaped = nameKeyOf(filter.nameContains).replace(/[\\%_]/g, (c) => "\\" + c);
      query.andWhere("r.nameKey LIKE :part", { part: `%${escaped}%` });
    }
    const totalCount = await query.getCount();
    if (page.after) {
      const [nameKey, id] = decodeCursor(page.after, 2);
      query.andWhere("(r.nameKey > :nameKey OR (r.nameKey = :nameKey AND r.id > :id))", { nameKey, id });
    }
    const rows = await query.orderBy("r.nameKey", "ASC").addOrderBy("r.id", "ASC").take(page.first + 1).getMany();
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([r.nameKey, r.id]));
  }

  /** A validated registry from an add input, secret sealed, not stored. */
  build(input: AddRegistryInput): Registry {
    const draft = normaliseAddresses({
      type: input.type,
      url: input.url ?? null,
      apiUrl: input.apiUrl ?? null,
      repositoryPathMethod: input.repositoryPathMethod ?? null,
      repositoryKey: input.repositoryKey ?? null,
      insecure: input.insecure ?? false,
      authMethod: input.authMethod,
      username: input.username ?? null,
      newSecret: input.secret ?? null,
      hasSecret: Boolean(input.secret),
    });
    this.assertValid(draft);
    return this.db.getRepository(Registry).create({
      id: randomUUID(),
      name: input.name.trim(),
      nameKey: nameKeyOf(input.name),
      description: input.description ?? null,
      caCertificate: input.caCertificate ?? null,
      scanTimeoutMinutes: input.scanTimeoutMinutes ?? 60,
      ...this.storedFields(draft),
      secretCiphertext: draft.newSecret ? this.secrets.seal(draft.newSecret) : null,
      webhookSecretCiphertext: this.secrets.seal(newWebhookToken()),
      webhookSigningKeyCiphertext: input.webhookSigningKey ? this.secrets.seal(input.webhookSigningKey) : null,
    });
  }

  async add(input: AddRegistryInput): Promise<Registry> {
    const registry = this.build(input);
    return this.db.transaction(async (tx) => {
      await this.assertNameFree(tx, registry.nameKey, null);
      await tx.insert(Registry, registry);
      await tx.insert(PullPolicy, defaultPolicy(registry.id, this.defaultTimezone));
      return tx.findOneByOrFail(Registry, { id: registry.id });
    });
  }

  async edit(id: string, input: EditRegistryInput): Promise<Registry> {
    return this.db.transaction(async (tx) => {
      const current = await tx.findOne(Registry, { where: { id }, lock: { mode: "pessimistic_write" } });
      if (!current) throw new NotFoundError(`registry ${id} does not exist`, { ids: [id] });
      if (input.type !== undefined && input.type !== null && input.type !== current.type) {
        throw new BadUserInputError([{ field: "type", message: `cannot change from ${current.type}; add a new registry` }]);
      }
      const pick = <K extends keyof EditRegistryInput & keyof Registry>(key: K) =>
        (input[key] === undefined ? current[key] : input[key]) as Registry[K];
      const authMethod = input.authMethod ?? current.authMethod;
      const draft = normaliseAddresses({
        type: current.type,
        url: pick("url"),
        apiUrl: pick("apiUrl"),
        repositoryPathMethod: pick("repositoryPathMethod"),
        repositoryKey: pick("repositoryKey"),
        insecure: input.insecure ?? current.insecure,
        authMethod,
        username: pick("username"),
        newSecret: input.secret ?? null,
        hasSecret: Boolean(input.secret) || (current.hasSecret && !this.storedSecretVoided(current, authMethod, input)),
      });
      this.assertValid(draft);
      const nameKey = input.name === undefined ? current.nameKey : nameKeyOf(input.name);
      await this.assertNameFree(tx, nameKey, id);
      const changes: Partial<Registry> = {
        name: input.name === undefined ? current.name : input.name.trim(),
        nameKey,
        description: pick("description"),
        caCertificate: pick("caCertificate"),
        scanTimeoutMinutes: input.scanTimeoutMinutes ?? current.scanTimeoutMinutes,
        ...this.storedFields(draft),
      };
      if (input.webhookSigningKey !== undefined) {
        changes.webhookSigningKeyCiphertext = input.webhookSigningKey ? this.secrets.seal(input.webhookSigningKey) : null;
      }
      if (draft.newSecret) changes.secretCiphertext = this.secrets.seal(draft.newSecret);
      else if (!draft.hasSecret) changes.secretCiphertext = null;
      await tx.update(Registry, { id }, changes);
      return tx.findOneByOrFail(Registry, { id });
    });
  }

  /**
   * A stored secret is not carried over to a new auth method, a new kind of
   * secret (Yandex's username), nor to a new address: it would otherwise be
   * sent to a host it was never entered for, or read as what it is not.
   */
  private storedSecretVoided(current: Registry, authMethod: AuthMethod, input: EditRegistryInput): boolean {
    if (authMethod !== current.authMethod) return true;
    const kindChanged = input.username !== undefined && input.username !== current.username;
    if (kindChanged && REGISTRY_TYPES[current.type].usernameValues) return true;
    const moved = (key: "url" | "apiUrl") => {
      if (input[key] === undefined) return false;
      const next = normaliseAddresses({ type: current.type, url: input.url ?? null, apiUrl: input.apiUrl ?? null })[key];
      try {
        return (next && originOf(next)) !== (current[key] && originOf(current[key]!));
      } catch {
        return true;
      }
    };
    return moved("url") || moved("apiUrl");
  }

  /** Issues a new push webhook token: the URL with the old one stops working at once. */
  async rotateWebhookSecret(id: string): Promise<Registry> {
    const { affected } = await this.db.getRepository(Registry).update({ id }, { webhookSecretCiphertext: this.secrets.seal(newWebhookToken()) });
    if (!affected) throw new NotFoundError(`registry ${id} does not exist`, { ids: [id] });
    return this.get(id);
  }

  /** The push webhook URL under `baseUrl`; null for a registry without a token (created before webhooks: rotate to issue one). */
  webhookUrl(registry: Registry, baseUrl: string): string | null {
    if (!registry.webhookSecretCiphertext) return null;
    return baseUrl + webhookPath(registry.id, this.secrets.open(registry.webhookSecretCiphertext));
  }

  async delete(ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw new BadUserInputError([{ field: "ids", message: "must name at least one registry" }]);
    const scanJobIds = await this.db.transaction(async (tx) => {
      const found = await tx.find(Registry, { where: { id: In(unique) }, lock: { mode: "pessimistic_write" } });
      const missing = unique.filter((id) => !found.some((r) => r.id === id));
      if (missing.length > 0) {
        throw new NotFoundError(`no registry with id ${missing.join(", ")}; nothing was deleted`, { ids: missing });
      }
      const jobs = await tx.find(ScanJob, { select: { id: true }, where: { registryId: In(unique) } });
      await tx.delete(Registry, { id: In(unique) });
      await removeUnreferencedArtifacts(tx);
      return jobs.map((job) => job.id);
    });
    await this.jobs.cancelRegistryWork(unique, scanJobIds);
    return unique;
  }

  private storedFields(draft: RegistryDraft) {
    return {
      type: draft.type,
      url: draft.url as string,
      apiUrl: draft.apiUrl,
      repositoryPathMethod: draft.repositoryPathMethod,
      repositoryKey: draft.repositoryKey,
      insecure: draft.insecure,
      authMethod: draft.authMethod,
      username: draft.authMethod === AuthMethod.NONE ? null : draft.username,
    };
  }

  private assertValid(draft: RegistryDraft): void {
    const errors = checkRegistryDraft(draft);
    if (errors.length > 0) throw new BadUserInputError(errors);
  }

  private async assertNameFree(tx: EntityManager, nameKey: string, exceptId: string | null): Promise<void> {
    const clash = await tx.findOneBy(Registry, { nameKey });
    if (clash && clash.id !== exceptId) {
      throw new ConflictError(`a registry named "${clash.name}" already exists (names ignore case)`, { field: "name" });
    }
  }
}
