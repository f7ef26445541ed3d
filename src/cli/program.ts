/**
 * The commander program: global options and every command's declaration
 * (`src/cli/commands/<name>.ts`). Built on every start, so it loads no
 * command's implementation: each action imports its `<name>-action.ts`
 * when it runs (src/cli/commands/README.md).
 *
 * @module
 */
import { Command } from '@commander-js/extra-typings';
import { readFileSync } from 'node:fs';
import type { CliIO } from './io.js';
import { registerLoadCommand } from './commands/load.js';
import { registerRunCommand } from './commands/run.js';
import { registerReportCommand } from './commands/report.js';
import { registerCompareCommands } from './commands/compare.js';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerProfileCommand } from './commands/profile.js';
import { registerDiagnoseCommand } from './commands/diagnose.js';
import { registerOptimizeCommands } from './commands/optimize.js';
import { registerMergeCommand } from './commands/merge.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerPlaybookCommand } from './commands/playbook.js';
import { registerCapacityCommand } from './commands/capacity.js';
import { registerSloCommand } from './commands/slo.js';
import { registerMonitorCommand } from './commands/monitor.js';
import { registerK8sCommands } from './commands/k8s.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Build the `tuneup` program writing through `io`. */
export function buildProgram(io: CliIO): Command {
  const program = new Command()
    .name('tuneup')
    .description('performance-engineering workbench: load test, diagnose, optimize, validate, guard')
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerLoadCommand(program, io);
  registerRunCommand(program, io);
  registerReportCommand(program, io);
  registerCompareCommands(program, io);
  registerAnalyzeCommand(program, io);
  registerProfileCommand(program, io);
  registerDiagnoseCommand(program, io);
  registerOptimizeCommands(program, io);
  registerMergeCommand(program, io);
  registerDemoCommand(program, io);
  registerPlaybookCommand(program, io);
  registerCapacityCommand(program, io);
  registerSloCommand(program, io);
  registerMonitorCommand(program, io);
  registerK8sCommands(program, io);
  for (const command of allCommands(program)) {
    command.exitOverride();
    // main.ts renders stack traces for --verbose; every command must accept the flag the error hints name.
    if (!command.options.some((option) => option.long === '--verbose')) command.option('--verbose', 'show stack traces on errors');
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub as Command, ...allCommands(sub as Command)]);
}
