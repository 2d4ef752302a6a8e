/** Stable error codes shared by the API, the workers and the CLI. */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "STARTUP_FAILED"
  | "SECRET_KEY"
  | "DATABASE_UNAVAILABLE";

export interface FieldError {
  field: string;
  message: string;
}

export class DrydockError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadUserInputError extends DrydockError {
  constructor(readonly fields: FieldError[]) {
    super("BAD_USER_INPUT", describeFields(fields), { fields });
  }
}

export class NotFoundError extends DrydockError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("NOT_FOUND", message, details);
  }
}

export class ConflictError extends DrydockError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super("CONFLICT", message, details);
  }
}

export class UnauthenticatedError extends DrydockError {
  constructor(message = "an API token is required: send Authorization: Bearer <token>") {
    super("UNAUTHENTICATED", message);
  }
}

export class ForbiddenError extends DrydockError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

/** A start-up failure that is reported as one line, without a stack trace. */
export class StartupError extends DrydockError {
  constructor(message: string) {
    super("STARTUP_FAILED", message);
  }
}

function describeFields(fields: FieldError[]): string {
  return "invalid input: " + fields.map((f) => `${f.field}: ${f.message}`).join("; ");
}
