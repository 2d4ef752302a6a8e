/**
 * Package names as compared when matching: a record's `affected[].package.name`
 * and an inventory package's name meet only after both went through
 * `normalisePackageName` with the same ecosystem.
 *
 * Only PyPI folds names (PEP 503: the index treats `Jinja2`, `jinja2` and
 * `JINJA2` as one project). Everything else is compared as written: npm names
 * are case-sensitive (legacy `JSONPath` and `jsonpath` are different packages
 * by different authors), Maven `groupId:artifactId` and Go module paths too,
 * and OS package names are lower case by their tools' rules already.
 */
export function normalisePackageName(ecosystem: string, name: string): string {
  return ecosystem === "PyPI" ? pep503Name(name) : name;
}

/** https://peps.python.org/pep-0503/#normalized-names */
function pep503Name(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}
