import { IsOptional, MaxLength } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { PackageType, Severity } from "../../../db/enums";

@InputType({ description: "Images matching every field given" })
export class ImageFilter {
  @Field(() => ID, { nullable: true })
  registryId?: string | null;

  @Field(() => String, { nullable: true, description: "The whole repository name" })
  @IsOptional()
  @MaxLength(255)
  repository?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(128)
  tag?: string | null;

  @Field(() => String, { nullable: true, description: "The platform manifest digest (Image.digest)" })
  @IsOptional()
  @MaxLength(100)
  digest?: string | null;

  @Field(() => Boolean, { nullable: true })
  removed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "false: only history (tags that moved on)" })
  current?: boolean | null;

  @Field(() => Severity, { nullable: true, description: "Images with at least one vulnerability of this severity or a worse one" })
  minSeverity?: Severity | null;
}

@InputType({ description: "Packages matching every field given" })
export class PackageFilter {
  @Field(() => PackageType, { nullable: true })
  type?: PackageType | null;

  @Field(() => String, { nullable: true, description: "The exact package name" })
  @IsOptional()
  @MaxLength(255)
  name?: string | null;
}
