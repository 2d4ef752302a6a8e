/**
 * Readers for the fields of untrusted JSON objects. Each takes the path of
 * the object it reads from (`affected[2].ranges[0]`) and throws a
 * JsonFieldError naming the field and what is wrong with it.
 */

import { isJsonObject } from "../../../lib/json-object";

export type JsonObject = Readonly<Record<string, unknown>>;

export class JsonFieldError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "JsonFieldError";
  }
}

export { isJsonObject };

export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

export function requireObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw new JsonFieldError(path, "must be an object");
  return value;
}

export function requireString(object: JsonObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== "string") throw new JsonFieldError(fieldPath(path, key), value === undefined ? "is missing" : "must be a string");
  return value;
}

export function optionalString(object: JsonObject, key: string, path: string): string | null {
  return object[key] === undefined || object[key] === null ? null : requireString(object, key, path);
}

export function optionalObject(object: JsonObject, key: string, path: string): JsonObject | null {
  const value = object[key];
  return value === undefined || value === null ? null : requireObject(value, fieldPath(path, key));
}

/** The items of an array field, each read by `readItem` with its own path. */
export function requireArray<T>(object: JsonObject, key: string, path: string, readItem: (item: unknown, itemPath: string) => T): T[] {
  if (object[key] === undefined) throw new JsonFieldError(fieldPath(path, key), "is missing");
  if (!Array.isArray(object[key])) throw new JsonFieldError(fieldPath(path, key), "must be an array");
  return optionalArray(object, key, path, readItem);
}

/** The items of an optional array field, each read by `readItem` with its own path; [] when the field is absent. */
export function optionalArray<T>(object: JsonObject, key: string, path: string, readItem: (item: unknown, itemPath: string) => T): T[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  const arrayPath = fieldPath(path, key);
  if (!Array.isArray(value)) throw new JsonFieldError(arrayPath, "must be an array");
  return value.map((item, index) => readItem(item, fieldPath(arrayPath, index)));
}

export function stringItem(item: unknown, path: string): string {
  if (typeof item !== "string") throw new JsonFieldError(path, "must be a string");
  return item;
}
