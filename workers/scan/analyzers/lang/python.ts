import type { Analyzer } from "../analyzer";
import { parseHeaderBlock } from "./rfc822-headers";

/**
 * Installed Python distributions: the core metadata file of each, as wheels
 * (`*.dist-info/METADATA`) and eggs (`*.egg-info/PKG-INFO`, or a single
 * `*.egg-info` file) install it.
 */
const METADATA_FILE = /(^|\/)[^/]+\.(dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;

export const pythonAnalyzer: Analyzer = {
  name: "python",
  version: 1,
  required: (file) => METADATA_FILE.test(file.path),
  async analyze(file) {
    const headers = parseHeaderBlock(await file.read());
    const name = headers.get("name");
    const version = headers.get("version");
    if (!name || !version) return null;
    return { packages: [{ type: "pypi", name, version, origin: "installed" }] };
  },
};
