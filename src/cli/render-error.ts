/**
 * Turns any thrown value into the one-line message the user sees.
 * @module
 */
import { ExitCode, isTuneupError } from '../errors.js';
import { redactText } from '../store/index.js';

/** Rendered error: the text for stderr and the exit code. */
export interface RenderedError {
  text: string;
  exitCode: number;
}

/**
 * One line with code and location, a hint line, and the stack only when
 * verbose. Every line passes through the redactor: messages of drivers and
 * fetch quote the URL they were given, password included.
 */
export function renderError(error: unknown, verbose: boolean): RenderedError {
  const rendered = renderUnredacted(error, verbose);
  return { ...rendered, text: redactText(rendered.text) };
}

function renderUnredacted(error: unknown, verbose: boolean): RenderedError {
  if (isTuneupError(error)) {
    // Some messages already start with their location (`--rate: expected …`): say it once.
    const where = error.location && !error.message.startsWith(`${error.location}:`) ? `${error.location}: ` : '';
    let text = `error ${error.code}: ${where}${error.message}`;
    if (error.hint) text += `\n  hint: ${error.hint}`;
    if (verbose && error.stack) text += `\n${error.stack}`;
    if (verbose && error.cause instanceof Error && error.cause.stack) text += `\ncaused by: ${error.cause.stack}`;
    return { text, exitCode: error.exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  let text = `error TUNEUP_INTERNAL: ${message}\n  hint: this is a bug in tuneup; re-run with --verbose and report the output`;
  if (verbose && error instanceof Error && error.stack) text += `\n${error.stack}`;
  return { text, exitCode: ExitCode.INTERNAL };
}
