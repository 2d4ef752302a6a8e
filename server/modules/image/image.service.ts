import type { DataSource } from "typeorm";
import { Artifact, ArtifactPackage, Finding, Image } from "../../../db/entities";
import { PackageType, severityRank } from "../../../db/enums";
import { BadUserInputError, NotFoundError } from "../../../lib/errors";
import { type Connection, cursorDate, decodeCursor, encodeCursor, type PageArgs, toConnection } from "../../graphql/connection";
import type { RegistryService } from "../registry/registry.service";
import { parseImageReference } from "../scan/intake.parse";
import type { ImageFilter, PackageFilter } from "./image.inputs";
import { buildSbom } from "./sbom";
import { readRows, rowReader } from "../../../db/row-reader";
import { addCondition, noConditions, type SqlConditions, sqlPage } from "../../graphql/sql-page";

/** MySQL sorts an ENUM column by its position in the column definition, which the migration took from PackageType. */
const PACKAGE_TYPE_POSITION = new Map(Object.values(PackageType).map((type, index) => [type, index + 1]));

export class ImageService {
  private readonly readImage: (row: Record<string, unknown>) => Image;

  constructor(
    private readonly db: DataSource,
    private readonly registries: RegistryService,
  ) {
    this.readImage = rowReader(db, Image);
  }

  async get(id: string): Promise<Image> {
    const [image] = await readRows(this.db, this.readImage, "SELECT * FROM `image` WHERE id = ?", [id]);
    if (!image) throw new NotFoundError(`image ${id} does not exist`, { ids: [id] });
    return image;
  }

  /** Newest first (firstSeenAt, then id). */
  list(filter: ImageFilter | null | undefined, page: PageArgs): Promise<Connection<Image>> {
    const conditions = noConditions();
    for (const key of ["registryId", "repository", "tag", "digest", "removed", "current"] as const) {
      const value = filter?.[key];
      if (value !== undefined && value !== null) addCondition(conditions, `i.\`${key}\` = ?`, value);
    }
    if (filter?.minSeverity) {
      addCondition(conditions, "EXISTS (SELECT 1 FROM `finding` f WHERE f.artifactDigest = i.digest AND f.severityRank <= ?)", severityRank(filter.minSeverity));
    }
    return this.newestFirst(conditions, page);
  }

  /** The images whose artifact's findings an import run changed, newest first. */
  changedBy(importRunId: string, page: PageArgs): Promise<Connection<Image>> {
    const conditions = noConditions();
    addCondition(conditions, "i.digest IN (SELECT c.artifactDigest FROM `import_run_change` c WHERE c.importRunId = ?)", importRunId);
    return this.newestFirst(conditions, page);
  }

  /** A page of the images `filter` selects by firstSeenAt, then id, both descending. */
  private async newestFirst(filter: SqlConditions, page: PageArgs): Promise<Connection<Image>> {
    let after: SqlConditions | null = null;
    if (page.after) {
      const [firstSeenAt, id] = decodeCursor(page.after, 2);
      const at = cursorDate(firstSeenAt);
      after = noConditions();
      addCondition(after, "(i.firstSeenAt < ? OR (i.firstSeenAt = ? AND i.id < ?))", at, at, id);
    }
    const { totalCount, rows } = await sqlPage(this.db, {
      table: "image",
      alias: "i",
      filter,
      after,
      orderBy: "i.firstSeenAt DESC, i.id DESC",
      first: page.first,
      read: this.readImage,
    });
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([r.firstSeenAt.getTime(), r.id]));
  }

  /**
   * The current, non-removed images a reference names in a registry: for
   * `repo:tag` one per platform; for `repo@digest` those whose platform
   * digest or tag digest (an index) it is, under any tag or none.
   */
  async byReference(registryId: string, reference: string): Promise<Image[]> {
    const parsed = parseImageReference(reference);
    if ("invalid" in parsed) throw new BadUserInputError([{ field: "reference", message: parsed.invalid }]);
    await this.registries.get(registryId);
    const query = this.db
      .getRepository(Image)
      .createQueryBuilder("i")
      .where("i.registryId = :registryId AND i.repository = :repository AND i.current = 1 AND i.removed = 0", {
        registryId,
        repository: parsed.repository,
      });
    if (parsed.tag !== null) query.andWhere("i.tag = :tag", { tag: parsed.tag });
    else query.andWhere("(i.digest = :digest OR i.tagDigest = :digest)", { digest: parsed.reference });
    return query.orderBy("i.tag", "ASC").addOrderBy("i.platform", "ASC").getMany();
  }

  /** The inventory of the image's artifact, by type, name, version (then id); empty before a scan. */
  async packages(image: Image, filter: PackageFilter | null | undefined, page: PageArgs): Promise<Connection<ArtifactPackage>> {
    const query = this.db.getRepository(ArtifactPackage).createQueryBuilder("p").where("p.artifactDigest = :digest", { digest: image.digest });
    if (filter?.type) query.andWhere("p.type = :type", { type: filter.type });
    if (filter?.name) query.andWhere("p.name = :name", { name: filter.name });
    const totalCount = await query.getCount();
    if (page.after) {
      const [position, name, version, id] = decodeCursor(page.after, 4);
      // `type + 0` is the ENUM position, the order ORDER BY uses; `type > 'x'` would compare names.
      query.andWhere(
        `(p.type + 0 > :position OR (p.type + 0 = :position AND (p.name > :name OR (p.name = :name AND
          (p.version > :version OR (p.version = :version AND p.id > :id))))))`,
        { position, name, version, id },
      );
    }
    const rows = await query
      .orderBy("p.type", "ASC")
      .addOrderBy("p.name", "ASC")
      .addOrderBy("p.version", "ASC")
      .addOrderBy("p.id", "ASC")
      .take(page.first + 1)
      .getMany();
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([PACKAGE_TYPE_POSITION.get(r.type)!, r.name, r.version, r.id]));
  }

  /** CycloneDX 1.5 JSON of the image's inventory and its findings; null before a scan. */
  async sbom(image: Image): Promise<Record<string, unknown> | null> {
    const artifact = await this.db.getRepository(Artifact).findOneBy({ digest: image.digest });
    if (!artifact) return null;
    const registry = await this.registries.get(image.registryId);
    const packages = await this.db.getRepository(ArtifactPackage).find({
      where: { artifactDigest: image.digest },
      order: { type: "ASC", name: "ASC", version: "ASC", id: "ASC" },
    });
    const findings = await this.db.getRepository(Finding).find({
      where: { artifactDigest: image.digest },
      order: { severityRank: "ASC", advisoryId: "ASC", packageName: "ASC", id: "ASC" },
    });
    return buildSbom(image, registry, artifact, packages, findings);
  }
}
