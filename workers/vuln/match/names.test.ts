import { normalisePackageName } from "./names";

describe("normalisePackageName", () => {
  it.each([
    // PEP 503: lower case, each run of -, _ and . becomes one -.
    ["PyPI", "Jinja2", "jinja2"],
    ["PyPI", "jinja2", "jinja2"],
    ["PyPI", "PyYAML", "pyyaml"],
    ["PyPI", "zope.interface", "zope-interface"],
    ["PyPI", "typing_extensions", "typing-extensions"],
    ["PyPI", "Foo.__-Bar", "foo-bar"],
    ["PyPI", "ruamel.yaml.clib", "ruamel-yaml-clib"],
    // npm names are case-sensitive: the fixture's `Axios` record names no package that exists.
    ["npm", "Axios", "Axios"],
    ["npm", "JSONPath", "JSONPath"],
    ["npm", "@babel/core", "@babel/core"],
    ["npm", "lodash.defaultsdeep", "lodash.defaultsdeep"],
    ["Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"],
    ["Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"],
    ["Debian:12", "openssl", "openssl"],
    ["Alpine:v3.18", "py3-pip_wheel", "py3-pip_wheel"],
  ])("%s %s → %s", (ecosystem, name, normalised) => {
    expect(normalisePackageName(ecosystem, name)).toBe(normalised);
  });
});
