import { readFileSync } from "node:fs";
import { fixturePath } from "../../../../../test/helpers/fixtures";
import type { FileContent } from "../../analyzer";
import { fileFromBuffer } from "../../test-support/file-content";

/** The file at `path` in the image that fixtures/pkgdb/<image>/ holds. */
export function pkgdbFile(image: string, path: string): FileContent {
  return fileFromBuffer(path, readFileSync(fixturePath("pkgdb", image, path)));
}
