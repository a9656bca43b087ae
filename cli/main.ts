import { Command, CommanderError } from 'commander';
import { InputRecordError } from '../core/io/jsonl.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerGateCommands } from './commands/gate.js';
import { registerK8sCommand } from './commands/k8s.js';
import { registerMetricsCommands } from './commands/metrics.js';
import { registerNoiseCommand } from './commands/noise.js';
import { registerPrCommentCommand } from './commands/prComment.js';
import { registerReportCommands } from './commands/report.js';
import { registerRunCommands } from './commands/run.js';
import { registerSlurmCommand } from './commands/slurm.js';
import { registerTransferCommands } from './commands/transfer.js';
import { registerViewCommand } from './commands/view.js';
import { CliError, ExitCode } from '../core/errors.js';
import { printable } from '../core/format.js';
import { setNoticeSink } from '../core/notice.js';
import { harnessVersion } from '../harness/run/provenance.js';

function buildProgram(): Command {
  const program = new Command('logbench')
    .description('evaluation harness for log-analysis models')
    .version(harnessVersion(), '-V, --version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  registerRunCommands(program);
  registerReportCommands(program);
  registerTransferCommands(program);
  registerMetricsCommands(program);
  registerCompareCommand(program);
  registerGateCommands(program);
  registerNoiseCommand(program);
  registerPrCommentCommand(program);
  registerViewCommand(program);
  registerSlurmCommand(program);
  registerK8sCommand(program);
  return program;
}

/** Errors the user can fix become one line on stderr and exit code 3; anything else keeps its stack. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const command = argv[2] ?? '';
  setNoticeSink((message) => process.stderr.write(`logbench ${printable(command)}: ${printable(message)}\n`));
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.ok; // --help, --version
      process.stderr.write(`logbench ${printable(command)}: ${printable(err.message.replace(/^error: /, ''))}\n`);
      return ExitCode.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`logbench ${printable(command)}: ${printable(err.message)}\n`);
      return err.exitCode;
    }
    if (err instanceof InputRecordError || !process.env.LOGBENCH_DEBUG) {
      // One line for the user; LOGBENCH_DEBUG=1 shows the stack of unexpected failures.
      process.stderr.write(`logbench ${printable(command)}: ${printable(err instanceof Error ? err.message : String(err))}\n`);
      return ExitCode.usage;
    }
    throw err;
  }
}
