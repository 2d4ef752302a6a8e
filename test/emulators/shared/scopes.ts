/**
 * Token scopes as in the distribution token spec:
 * `<type>[(<class>)]:<name>:<action>[,<action>...]`, e.g. `repository:team/api:pull,push`,
 * `repository(plugin):a/b:pull`, `registry:catalog:*`. The name may hold
 * slashes and even colons (`host:5000/app`), so the type ends at the first
 * colon and the actions start after the last one.
 */

/** One resource with its actions: what a client asks for and what a token grants (the JWT `access` entries). */
export interface Access {
  type: string;
  class?: string;
  name: string;
  actions: string[];
}

const TYPE = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?$/i;

/** One scope, or null when it is malformed. */
export function parseScope(text: string): Access | null {
  const first = text.indexOf(":");
  const last = text.lastIndexOf(":");
  if (first <= 0 || last === first) return null;
  const type = TYPE.exec(text.slice(0, first));
  const name = text.slice(first + 1, last);
  const actions = text
    .slice(last + 1)
    .split(",")
    .filter((action) => action !== "");
  if (!type || !name || actions.length === 0) return null;
  return { type: type[1], ...(type[2] ? { class: type[2] } : {}), name, actions };
}

/** Every `scope` query value (a value may hold several, space-separated); malformed ones are dropped. */
export function parseScopes(values: readonly string[]): Access[] {
  return values
    .flatMap((value) => value.split(" "))
    .filter((value) => value !== "")
    .map(parseScope)
    .filter((scope): scope is Access => scope !== null);
}

export function formatScope(access: Access): string {
  return `${access.type}${access.class ? `(${access.class})` : ""}:${access.name}:${access.actions.join(",")}`;
}

/**
 * What a token service grants: for each requested scope, the requested actions
 * that `allowed` permits (a token service grants less than asked, never more);
 * scopes left with no action are dropped.
 */
export function narrowScopes(requested: readonly Access[], allowed: (scope: Access) => readonly string[]): Access[] {
  return requested
    .map((scope) => ({ ...scope, actions: scope.actions.filter((action) => allowed(scope).includes(action)) }))
    .filter((scope) => scope.actions.length > 0);
}
