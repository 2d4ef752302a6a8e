export { ImportSourceError, SourceReadError, type SourceReadErrorCode } from "./errors";
export type { RawRecord } from "./raw-record";
export { DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_RECORD_BYTES, readRecords, type ReadRecordsOptions } from "./read-records";
export { resolveSource, type LocalSource, type ResolvedSource, type UrlSource } from "./source";
