import { unwrapResolverError } from "@apollo/server/errors";
import type { ValidationError } from "class-validator";
import type { GraphQLFormattedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { DrydockError, type FieldError } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { maskUrlsIn } from "../../lib/mask";
import { RegistryError } from "../../workers/registry/errors";
import { isDatabaseUnavailable } from "../../db/availability";
import { DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE } from "./unavailable";

/** class-validator's tree, flattened to `createdWithin.amount`-style field paths. */
export function fieldErrorsOf(errors: ValidationError[], prefix = ""): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix + (/^\d+$/.test(error.property) ? `[${error.property}]` : (prefix ? "." : "") + error.property);
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(new RegExp(`^${error.property} `), ""),
    }));
    return [...own, ...fieldErrorsOf(error.children ?? [], field)];
  });
}

/** graphql-js coercion errors name the place as `at "input.type"` or as the variable. */
function fieldOfCoercionError(message: string): string {
  const at = /at "([^"]+)"/.exec(message);
  const missing = /Field "([^"]+)" of required type/.exec(message);
  if (at) {
    const path = at[1].split(".").slice(1);
    return [...path, ...(missing ? [missing[1]] : [])].join(".") || at[1];
  }
  if (missing) return missing[1];
  const variable = /Variable "\$([^"]+)"/.exec(message);
  return variable ? variable[1] : "input";
}

/**
 * graphql-js prints the whole offending variable value into coercion errors
 * (`Variable "$input" got invalid value { …, secret: "…" }; Field "name" … was
 * not provided.`): that would send a registry secret back. Keeps the variable,
 * the path and the reason only.
 */
function withoutInvalidValue(message: string, error: unknown): string {
  const head = /^(Variable "\$[^"]+") got invalid value /.exec(message);
  if (!head) return message;
  const reason = (error as { originalError?: Error })?.originalError?.message;
  if (!reason || !message.endsWith("; " + reason)) return `${head[1]} got an invalid value`;
  const at = / at "[\w.[\]]+"$/.exec(message.slice(0, message.length - reason.length - 2));
  return `${head[1]} got an invalid value${at ? at[0] : ""}; ${reason}`;
}

/** Gives every error a stable `extensions.code`, field lists for bad input, and no internals. */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    // A registry that refuses connections is no database outage, though both carry ECONNREFUSED.
    if (!(original instanceof RegistryError) && isDatabaseUnavailable(original)) {
      logger.warn({ err: maskUrlsIn(String((original as Error)?.message ?? original)) }, "request failed: a database is unavailable");
      return { ...base, message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: DATABASE_UNAVAILABLE } };
    }
    if (original instanceof DrydockError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    if (original instanceof RegistryError) {
      return { ...base, message: original.message, extensions: { code: original.code, retryable: original.retryable } };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = fieldErrorsOf(original.extensions.validationErrors);
      const message = "invalid input: " + fields.map((f) => `${f.field}: ${f.message}`).join("; ");
      return { ...base, message, extensions: { code: "BAD_USER_INPUT", fields } };
    }
    const code = formatted.extensions?.code;
    if (code === "BAD_USER_INPUT") {
      const message = withoutInvalidValue(formatted.message, original);
      const fields = [{ field: fieldOfCoercionError(message), message }];
      return { ...base, message, extensions: { code, fields } };
    }
    if (code === undefined || code === "INTERNAL_SERVER_ERROR") {
      logger.error({ err: maskUrlsIn(String((original as Error)?.stack ?? original)) }, "request failed");
      return { ...base, message: "internal error; the server log has the details", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    return { ...base, extensions: { code } };
  };
}
