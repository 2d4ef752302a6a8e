import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Fields that may hold credentials are redacted at the
 * source as a second line of defence: code never passes secrets to the logger.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: ["secret", "password", "token", "authorization", "*.secret", "*.password", "*.token", "*.authorization"],
        censor: "[HIDDEN]",
      },
    },
    destination ?? pino.destination({ sync: true }),
  );
}
