import type { FileContent, FileInfo } from "../analyzers/analyzer";
import { ScanError } from "../errors";
import type { TeeReader } from "./content-tee";

/** One analyzer's view of a file's content, consumed once. */
export class AnalyzerInput implements FileContent {
  readonly path: string;
  readonly size: number;
  readonly mode: number;
  /** Set when `read` refused the file: that fails the scan even if the analyzer caught it. */
  refusal: ScanError | null = null;
  private consumed = false;

  constructor(
    info: FileInfo,
    private readonly content: TeeReader,
    private readonly maxBufferedBytes: number,
  ) {
    this.path = info.path;
    this.size = info.size;
    this.mode = info.mode;
  }

  async read(): Promise<Buffer> {
    if (this.size > this.maxBufferedBytes) {
      this.refusal = new ScanError(
        "FILE_TOO_LARGE",
        `${this.path} is ${this.size} bytes, more than the ${this.maxBufferedBytes} an analyzer may read into memory`,
      );
      throw this.refusal;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.stream()) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  stream(): AsyncIterable<Buffer> {
    if (this.consumed) throw new Error(`the content of ${this.path} was already consumed`);
    this.consumed = true;
    return this.content;
  }

  /** The analyzer is done: the content it did not read stops waiting for it. */
  close(): void {
    this.content.close();
  }
}
