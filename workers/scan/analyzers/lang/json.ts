import { isJsonObject, type JsonObject } from "../../../../lib/json-object";

export { isJsonObject, type JsonObject };

/** Parses a file that must hold one JSON object; throws a message naming the file otherwise. */
export function parseJsonObject(content: Buffer, path: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(content.toString("utf8"));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isJsonObject(value)) throw new Error(`${path} does not hold a JSON object`);
  return value;
}
