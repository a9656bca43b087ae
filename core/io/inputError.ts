/** Bad input in a file: carries the file and 1-based line (and column) so the message can name them. */
export class InputRecordError extends Error {
  override name = 'InputRecordError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}${line === undefined || column === undefined ? '' : `:${column}`}: ${reason}`);
  }
}
