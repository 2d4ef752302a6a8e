/** Builds rpm header blobs (as the rpm database stores them) for tests, well-formed or not. */

export const RPM_TAG = { NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, ARCH: 1022, SOURCERPM: 1044 };
export const RPM_TYPE = { INT32: 4, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 };

export interface RawEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

/** A blob from raw index entries and data store; `entryCount`/`dataLength` override what the preamble declares. */
export function rawHeaderBlob(
  entries: RawEntry[],
  data: Buffer,
  declared: { entryCount?: number; dataLength?: number } = {},
): Buffer {
  const preamble = Buffer.alloc(8);
  preamble.writeUInt32BE(declared.entryCount ?? entries.length, 0);
  preamble.writeUInt32BE(declared.dataLength ?? data.length, 4);
  const index = Buffer.alloc(entries.length * 16);
  entries.forEach((entry, i) => {
    index.writeInt32BE(entry.tag, i * 16);
    index.writeUInt32BE(entry.type, i * 16 + 4);
    index.writeInt32BE(entry.offset, i * 16 + 8);
    index.writeUInt32BE(entry.count, i * 16 + 12);
  });
  return Buffer.concat([preamble, index, data]);
}

export interface HeaderFields {
  name?: string;
  version?: string;
  release?: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
}

/** A well-formed blob holding the given fields, plus a binary entry like the region tag real headers start with. */
export function headerBlob(fields: HeaderFields): Buffer {
  const entries: RawEntry[] = [];
  const chunks: Buffer[] = [];
  let length = 0;
  const append = (tag: number, type: number, bytes: Buffer, count = 1): void => {
    entries.push({ tag, type, offset: length, count });
    chunks.push(bytes);
    length += bytes.length;
  };
  append(63, RPM_TYPE.BIN, Buffer.alloc(16), 16);
  const strings: Array<[number, string | undefined]> = [
    [RPM_TAG.NAME, fields.name],
    [RPM_TAG.VERSION, fields.version],
    [RPM_TAG.RELEASE, fields.release],
    [RPM_TAG.ARCH, fields.arch],
    [RPM_TAG.SOURCERPM, fields.sourceRpm],
  ];
  for (const [tag, value] of strings) {
    if (value !== undefined) append(tag, RPM_TYPE.STRING, Buffer.from(`${value}\0`));
  }
  if (fields.epoch !== undefined) {
    const epoch = Buffer.alloc(4);
    epoch.writeUInt32BE(fields.epoch);
    append(RPM_TAG.EPOCH, RPM_TYPE.INT32, epoch);
  }
  return rawHeaderBlob(entries, Buffer.concat(chunks));
}
