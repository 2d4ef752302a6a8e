import { X509Certificate } from "node:crypto";
import { registerDecorator, type ValidationOptions } from "class-validator";

/** Length of the value after trimming, as stored. */
export function TrimmedLength(min: number, max: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "trimmedLength",
      target: target.constructor,
      propertyName,
      options: { message: `must be ${min} to ${max} characters after trimming`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === "string" && value.trim().length >= min && value.trim().length <= max,
      },
    });
}

/** C0 control characters and DEL: never part of a name, a URL or a key someone typed. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export function NoControlCharacters(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "noControlCharacters",
      target: target.constructor,
      propertyName,
      options: { message: "must not contain control characters", ...options },
      validator: { validate: (value: unknown) => typeof value !== "string" || !CONTROL_CHARACTER.test(value) },
    });
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Returns why a PEM CA bundle is unusable, or null. */
export function pemBundleProblem(value: string): string | null {
  const blocks = value.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return "must hold at least one PEM certificate (-----BEGIN CERTIFICATE-----)";
  const leftover = value.replace(PEM_BLOCK, "").trim();
  if (leftover) return "must hold only PEM certificates";
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${index + 1} is not a valid X.509 certificate`;
    }
  }
  return null;
}

export function IsPemBundle(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: "isPemBundle",
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === "string" && pemBundleProblem(value) === null,
        defaultMessage: (args) => pemBundleProblem(String(args?.value)) ?? "is not a PEM bundle",
      },
    });
}
