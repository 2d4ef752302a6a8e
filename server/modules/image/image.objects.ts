import { Image } from "../../../db/entities";
import { ConnectionType } from "../../graphql/connection";

/** Shared by `images` and `ImportRun.changedImages`: a GraphQL type is defined once. */
export const ImageConnection = ConnectionType(Image, "Image");
