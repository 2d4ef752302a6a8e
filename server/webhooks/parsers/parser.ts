/** A tag a registry says was pushed, by the canonical repository name of DESIGN §2. */
export interface PushedTag {
  repository: string;
  tag: string;
}

export type JsonObject = Record<string, unknown>;

/** Reads one vendor's push webhook. */
export interface WebhookParser {
  /** Named in logs and answers. */
  readonly vendor: string;
  /**
   * Null when the body is not this vendor's shape. Otherwise the pushed tags,
   * empty for the vendor's other events (pulls, deletions, blob uploads,
   * pushes by digest only).
   */
  parse(body: JsonObject): PushedTag[] | null;
}

export const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

export const isString = (value: unknown): value is string => typeof value === "string" && value !== "";
