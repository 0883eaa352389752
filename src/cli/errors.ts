/** Errors of the `relata` command: a usage error exits 2, any other failure 1. */
import { RelataError } from '../sql/errors.js';

/** A failure the command reports in one message (a missing config, a pending migration…): exit code 1. */
export class CliError extends RelataError {
  override readonly code: string = 'cli';
}

/** The command line itself is wrong (an unknown command or flag): exit code 2, with the usage. */
export class UsageError extends CliError {
  override readonly code = 'cli-usage';
}
