/**
 * The process entry of the CLI: builds the program, runs it, renders
 * errors as one line plus a hint, and exits with the documented code.
 *
 * @module
 */
import { CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { requestedExitCode } from './exit.js';
import { processIO } from './io.js';
import { buildProgram } from './program.js';
import { renderError } from './render-error.js';

const io = processIO();
const verbose = process.argv.includes('--verbose');
const program = buildProgram(io);

try {
  await program.parseAsync(process.argv);
  process.exitCode = requestedExitCode();
} catch (error) {
  if (error instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help).
    process.exitCode = error.exitCode === 0 ? 0 : ExitCode.USAGE;
  } else {
    const rendered = renderError(error, verbose);
    io.err(rendered.text);
    process.exitCode = rendered.exitCode;
  }
}
