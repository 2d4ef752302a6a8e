/**
 * The layers of the standard images end-to-end tests push and scan, built
 * from the real package databases in the shared fixtures (`pkgdb`). What a
 * scan must find in each (OS, package counts) stays in the tests.
 */
import { readFileSync } from "node:fs";
import { buildLayer, file, symlink } from "../registry/image-builder";
import { fixturePath } from "./fixtures";

const fixture = (...parts: string[]) => readFileSync(fixturePath("pkgdb", ...parts));

/** Alpine 3.18: os-release behind the usual symlink, and the apk database. */
export const alpineLayer = buildLayer([
  file("usr/lib/os-release", fixture("alpine-3.18", "etc", "os-release")),
  symlink("etc/os-release", "../usr/lib/os-release"),
  file("lib/apk/db/installed", fixture("alpine-3.18", "lib", "apk", "db", "installed")),
]);

/** Debian 12: os-release and the dpkg status database. */
export const debianLayer = buildLayer([file("etc/os-release", fixture("debian-12", "etc", "os-release")), file("var/lib/dpkg/status", fixture("debian-12", "var", "lib", "dpkg", "status"))]);

/** An npm application: a package-lock.json whose packages are not installed. */
export const npmAppLayer = buildLayer([file("app/package-lock.json", fixture("npm", "in-place-npm", "package-lock.json"))]);

/** One Python distribution (Pygments 2.6.1) in site-packages. */
export const pythonAppLayer = buildLayer([
  file("usr/lib/python3/site-packages/Pygments-2.6.1.dist-info/METADATA", fixture("python", "site-packages", "Pygments-2.6.1.dist-info", "METADATA")),
]);
