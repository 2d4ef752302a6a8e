import { ScanAttempt, ScanJob } from "../../../db/entities";
import { ConnectionType } from "../../graphql/connection";

/** Shared by `scanJobs` and `Image.scanJobs`: a GraphQL type is defined once. */
export const ScanJobConnection = ConnectionType(ScanJob, "ScanJob");

export const ScanAttemptConnection = ConnectionType(ScanAttempt, "ScanAttempt");
