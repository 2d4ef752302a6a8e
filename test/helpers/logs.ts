import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../lib/logger";

/** A logger whose every line is kept in `lines`, for checks on what was (not) logged. */
export function capturingLogger(level = "debug"): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger(level, sink) };
}
