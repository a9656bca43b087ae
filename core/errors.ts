/** Exit codes every command keeps (DESIGN §3): gates and scripts branch on them. */
export const ExitCode = {
  ok: 0,
  regression: 1,
  notComparable: 2,
  usage: 3,
  /** A run finished, but some model's failed samples exceed the suite's `max_error_rate`: its figures describe the failures. */
  modelErrors: 4,
  /** Stopped by SIGINT / SIGTERM (128 + 2, the shell's convention); what is stored resumes on rerun. */
  interrupted: 130,
} as const;

/** A failure the user can fix: printed as one line, no stack trace, with the command's exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    super(message);
  }
}
