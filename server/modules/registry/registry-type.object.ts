import { Field, ObjectType, registerEnumType } from "type-graphql";
import { AuthMethod, RegistryType } from "../../../db/enums";
import { REGISTRY_TYPES, type FieldUse, type RegistryTypeSpec } from "./registry-types";

enum FieldUseEnum {
  REQUIRED = "REQUIRED",
  OPTIONAL = "OPTIONAL",
  REFUSED = "REFUSED",
}
registerEnumType(FieldUseEnum, { name: "FieldUse", description: "Whether a registry type needs, accepts or refuses a field" });

@ObjectType()
export class RegistryFieldInfo {
  @Field()
  name: string;

  @Field(() => FieldUseEnum)
  use: FieldUse;

  @Field(() => String, { nullable: true })
  default: string | null;

  @Field()
  description: string;
}

@ObjectType({ description: "What a registry type takes, and the least rights its account needs" })
export class RegistryTypeInfo {
  @Field(() => RegistryType)
  type: RegistryType;

  @Field()
  label: string;

  @Field(() => [RegistryFieldInfo])
  fields: RegistryFieldInfo[];

  @Field(() => [AuthMethod])
  authMethods: AuthMethod[];

  @Field(() => [String], { nullable: true, description: "Values username must take with API_KEY" })
  usernameValues: string[] | null;

  @Field()
  minimumRights: string;
}

function describe(spec: RegistryTypeSpec): RegistryTypeInfo {
  const artifactoryKey = "required for SUBDOMAIN and PORT, refused for REPOSITORY_PATH";
  return {
    type: spec.type,
    label: spec.label,
    fields: [
      { name: "url", use: spec.url.use, default: spec.url.default ?? null, description: spec.url.about },
      { name: "apiUrl", use: spec.apiUrl.use, default: spec.apiUrl.default ?? null, description: spec.apiUrl.about },
      { name: "repositoryPathMethod", use: spec.repositoryPathMethod, default: null, description: "REPOSITORY_PATH, SUBDOMAIN or PORT" },
      {
        name: "repositoryKey",
        use: spec.repositoryKey,
        default: null,
        description: spec.type === RegistryType.ARTIFACTORY ? artifactoryKey : "the one repository to integrate",
      },
    ],
    authMethods: spec.authMethods,
    usernameValues: spec.usernameValues ?? null,
    minimumRights: spec.minimumRights,
  };
}

export const REGISTRY_TYPE_INFO: RegistryTypeInfo[] = Object.values(REGISTRY_TYPES).map(describe);
