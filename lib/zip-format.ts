/**
 * Constants of the zip format both zip readers share (the streaming one for
 * jars, the central-directory one for OSV archives).
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
export const LOCAL_FILE_HEADER = 0x04034b50;
export const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
export const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
export const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
export const ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR = 0x07064b50;
export const DATA_DESCRIPTOR = 0x08074b50;
export const ZIP64_EXTRA_FIELD = 0x0001;
export const FLAG_ENCRYPTED = 0x1;
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const STORED = 0;
export const DEFLATED = 8;
/** Size of a local file header before its name and extra field. */
export const LOCAL_HEADER_BYTES = 30;

/** The data of extra field `id`, or null. */
export function findExtraField(extra: Buffer, id: number): Buffer | null {
  for (let at = 0; at + 4 <= extra.length; ) {
    const size = extra.readUInt16LE(at + 2);
    if (extra.readUInt16LE(at) === id) return extra.subarray(at + 4, at + 4 + size);
    at += 4 + size;
  }
  return null;
}
