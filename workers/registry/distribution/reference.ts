/**
 * Repository names and tags as the distribution spec defines them. Checked
 * before a name goes into a URL path: names come from registry listings and
 * from users, both untrusted.
 */
import { RegistryError } from "../errors";
import { DIGEST_GRAMMAR } from "./digest";

// Spec grammar, case-insensitive so vendors with upper-case repository keys still work.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/i;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length < 256 && name.split("/").every((component) => COMPONENT.test(component));
}

export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

/** A tag or a digest (`sha256:<hex>`). */
export function isReference(reference: string): boolean {
  return isTag(reference) || DIGEST_GRAMMAR.test(reference);
}

export function assertRepositoryName(name: string): void {
  if (!isRepositoryName(name)) {
    throw new RegistryError("REGISTRY_PROTOCOL", `invalid repository name ${JSON.stringify(name.slice(0, 300))}`, { retryable: false });
  }
}

export function assertReference(reference: string): void {
  if (!isReference(reference)) {
    throw new RegistryError("REGISTRY_PROTOCOL", `invalid tag or digest ${JSON.stringify(reference.slice(0, 300))}`, { retryable: false });
  }
}
