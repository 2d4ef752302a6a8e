import type { DataSource } from "typeorm";
import { PullPolicy, type Registry, RegistryTag } from "../../../db/entities";
import { BadUserInputError } from "../../../lib/errors";
import type { SecretBox } from "../../../lib/secret-box";
import { compilePolicy } from "../../../workers/policy/engine";
import { policyRulesOf } from "../../../workers/policy/rules-of-policy";
import type { ListedTag, RegistryAdapter } from "../../../workers/registry/adapter";
import { isRegistryError } from "../../../workers/registry/errors";
import { createAdapter } from "../../../workers/registry/registry";
import { TagResolver } from "../../../workers/registry/tag-resolver";
import { type Connection, cursorPosition, decodeCursor, encodeCursor, type PageArgs, toConnection } from "../../graphql/connection";
import { BoundedRegistryCalls, type ServerClientOptions } from "../../registry-calls/bounded-calls";
import type { PullPolicyInput } from "../policy/policy.inputs";
import type { PolicyService } from "../policy/policy.service";
import type { AddRegistryInput } from "../registry/registry.inputs";
import type { RegistryService } from "../registry/registry.service";
import type { ConnectionTestResult, PolicyDecision } from "./discovery.objects";

/** A fresh listing made by the API server stops here; a sync lists everything. */
export const PREVIEW_TAG_LIMIT = 5_000;

/** Registry work the API answers directly: connection tests and policy previews. */
export class DiscoveryService {
  private readonly calls = new BoundedRegistryCalls();

  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
    private readonly registries: RegistryService,
    private readonly policies: PolicyService,
    private readonly clientOptions: ServerClientOptions,
  ) {}

  private adapter(registry: Registry, platforms: readonly string[]): RegistryAdapter {
    return createAdapter(registry, this.secrets, new TagResolver(platforms), this.clientOptions(registry.id));
  }

  /** Checks a saved registry (`id`) or an unsaved one (`input`); stores nothing. */
  async testConnection(id: string | null | undefined, input: AddRegistryInput | null | undefined): Promise<ConnectionTestResult> {
    if (Boolean(id) === Boolean(input)) {
      throw new BadUserInputError([{ field: id ? "input" : "id", message: "give either id or input, not both" }]);
    }
    const registry = id ? await this.registries.get(id) : this.registries.build(input!);
    const adapter = this.adapter(registry, ["linux/amd64"]);
    try {
      const checks = await this.calls.run("the connection test", () => adapter.checkConnection());
      return { ok: checks.every((c) => c.ok), checks };
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      return { ok: false, checks: [{ name: "reachable", ok: false, message: error.message }] };
    } finally {
      await adapter.close();
    }
  }

  /**
   * What a policy (saved, or given) selects, tag by tag, on the stored
   * listing — or a fresh bounded one when there is none or `refresh` is set.
   * Queues and stores nothing.
   */
  async preview(
    registryId: string,
    input: PullPolicyInput | null | undefined,
    refresh: boolean,
    page: PageArgs,
  ): Promise<Connection<PolicyDecision>> {
    const registry = await this.registries.get(registryId);
    const policy = input
      ? this.policies.build(registryId, input)
      : await this.db.getRepository(PullPolicy).findOneByOrFail({ registryId });
    let tags: ListedTag[] = refresh ? [] : await this.storedListing(registryId);
    if (refresh || tags.length === 0) {
      tags = await this.calls.run("the fresh listing", () => this.freshListing(registry, policy.platforms));
    }
    tags.sort((a, b) => (a.repository === b.repository ? (a.tag < b.tag ? -1 : 1) : a.repository < b.repository ? -1 : 1));
    const decisions = compilePolicy(policyRulesOf(policy)).evaluate(tags, new Date());
    const offset = page.after ? cursorPosition(decodeCursor(page.after, 1)[0]) : 0;
    const slice = decisions.slice(offset, offset + page.first + 1);
    return toConnection(slice, page.first, decisions.length, (_, index) => encodeCursor([offset + index + 1]));
  }

  private storedListing(registryId: string): Promise<ListedTag[]> {
    return this.db.getRepository(RegistryTag).find({
      select: { repository: true, tag: true, digest: true, createdAt: true, pushedAt: true },
      where: { registryId },
    });
  }

  private async freshListing(registry: Registry, platforms: readonly string[]): Promise<ListedTag[]> {
    const adapter = this.adapter(registry, platforms);
    try {
      const tags: ListedTag[] = [];
      for await (const entry of adapter.listRepositories()) {
        if (entry.skipped !== undefined) continue;
        tags.push(...(await adapter.listTags(entry.repository)));
        if (tags.length >= PREVIEW_TAG_LIMIT) return tags.slice(0, PREVIEW_TAG_LIMIT);
      }
      return tags;
    } finally {
      await adapter.close();
    }
  }
}
