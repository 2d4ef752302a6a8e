import type { JsonObject } from "../../../lib/json-object";

/** A tag a registry says was pushed, by the canonical repository name of DESIGN §2. */
export interface PushedTag {
  repository: string;
  tag: string;
}

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

export const isString = (value: unknown): value is string => typeof value === "string" && value !== "";
