import { IsIn, IsInt, IsOptional, Max, MaxLength, Min, MinLength } from "class-validator";
import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { AuthMethod, RegistryType, RepositoryPathMethod } from "../../../db/enums";
import { IsPemBundle, NoControlCharacters, TrimmedLength } from "../../graphql/validators";

const NAME_RULE = "1 to 100 characters after trimming; unique, ignoring case";

/** Fields shared by adding and editing; all optional here. */
@InputType()
abstract class RegistryFieldsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  description?: string | null;

  @Field(() => String, { nullable: true, description: "https://…, or http://… with insecure: true" })
  @IsOptional()
  @MaxLength(2048)
  @NoControlCharacters()
  url?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2048)
  @NoControlCharacters()
  apiUrl?: string | null;

  @Field(() => RepositoryPathMethod, { nullable: true })
  @IsOptional()
  repositoryPathMethod?: RepositoryPathMethod | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(255)
  @NoControlCharacters()
  repositoryKey?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  insecure?: boolean;

  @Field(() => String, { nullable: true, description: "PEM CA bundle to trust for this registry" })
  @IsOptional()
  @MaxLength(65536)
  @IsPemBundle()
  caCertificate?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(255)
  @NoControlCharacters()
  username?: string | null;

  @Field(() => String, { nullable: true, description: "Password, API key or token; write-only" })
  @IsOptional()
  @MinLength(1)
  @MaxLength(16384)
  secret?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Secret key of Nexus's webhook capability; when set, push webhooks must carry a valid X-Nexus-Webhook-Signature. Write-only; in editRegistry, null removes it and omitting it keeps it",
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(1024)
  webhookSigningKey?: string | null;

  @Field(() => Int, { nullable: true, description: "1 to 1440 minutes per scan attempt; default 60" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  scanTimeoutMinutes?: number;
}

@InputType()
export class AddRegistryInput extends RegistryFieldsInput {
  @Field({ description: NAME_RULE })
  @TrimmedLength(1, 100)
  @NoControlCharacters()
  name: string;

  @Field(() => RegistryType)
  @IsIn(Object.values(RegistryType))
  type: RegistryType;

  @Field(() => AuthMethod)
  @IsIn(Object.values(AuthMethod))
  authMethod: AuthMethod;
}

@InputType({ description: "Fields to change; omitted fields keep their value, and no secret keeps the stored one" })
export class EditRegistryInput extends RegistryFieldsInput {
  @Field(() => String, { nullable: true, description: NAME_RULE })
  @IsOptional()
  @TrimmedLength(1, 100)
  @NoControlCharacters()
  name?: string;

  @Field(() => RegistryType, { nullable: true, description: "Cannot change; accepted when equal" })
  @IsOptional()
  type?: RegistryType;

  @Field(() => AuthMethod, { nullable: true })
  @IsOptional()
  authMethod?: AuthMethod;
}

@InputType()
export class RegistryFilter {
  @Field(() => RegistryType, { nullable: true })
  type?: RegistryType | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive part of the name" })
  @IsOptional()
  @MaxLength(100)
  nameContains?: string | null;
}

@ArgsType()
export class DeleteRegistriesArgs {
  @Field(() => [ID])
  ids: string[];
}
