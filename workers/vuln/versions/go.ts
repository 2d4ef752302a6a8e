import { NotAVersion, parsingScheme } from "./parsing-scheme";
import { semver } from "./semver";

/** The semver text a Go version orders as, if it has the shape of one; semver then checks the rest. */
function semverText(version: string): string | undefined {
  // Module version: "v" required; "+incompatible" is the only build suffix the go command allows.
  const module = /^v([^+]+(?:\+incompatible)?)$/.exec(version);
  if (module) return module[1];
  // Toolchain version as OSV writes it for `stdlib` and `toolchain`: no "v", and "1.20" for the go1.20 release, 1.20.0.
  if (/^[0-9]+\.[0-9]+$/.test(version)) return `${version}.0`;
  if (/^[0-9][^+]*$/.test(version)) return version;
  return undefined;
}

function parseGoVersion(version: string): string | NotAVersion {
  const text = semverText(version);
  if (text === undefined || !semver.isValid(text)) {
    return new NotAVersion(
      "neither a module version (v1.2.3, v0.0.0-20230101000000-abcdef123456, v2.0.0+incompatible) nor a Go toolchain version (1.20, 1.20.5)",
    );
  }
  return text;
}

/**
 * Go versions, ordered by semver 2.0.0 as golang.org/x/mod/semver orders
 * them: pseudo-versions by their prerelease, "+incompatible" ignored.
 * Accepted: module versions, "v" and all three numbers required ("v1.2" is
 * refused); and the toolchain versions OSV uses for the `stdlib` and
 * `toolchain` packages, without "v": "1.20.5", "1.21.0-rc.2", and "1.20" for
 * 1.20.0. "go1.20.5", as Go binaries report it, is refused: turning it into
 * "1.20.5" is the caller's part.
 */
export const go = parsingScheme("go", parseGoVersion, semver.compare);
