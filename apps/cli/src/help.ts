import { Help, type Command, type HelpConfiguration } from 'commander';
import { UsageError } from './errors.js';

/** Narrower than this, an option's description goes on the lines under it instead of beside it. */
const MIN_DESCRIPTION_WIDTH = 30;
const STACKED_INDENT = '      ';

/**
 * The width help is wrapped to: `COLUMNS` when set (a shell sets it for its
 * children; a caller can narrow it), else the terminal's, else 80.
 */
export function helpWidth(env: NodeJS.ProcessEnv = process.env): number {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return (process.stdout.isTTY && process.stdout.columns) || 80;
}

/**
 * Help settings every command inherits: the global options (`--profile`,
 * `--json`, …) under each command's own, and text broken only between words
 * at any width (commander stops wrapping below 40 columns, leaving the
 * terminal to cut words in two).
 */
export const HELP_CONFIGURATION: HelpConfiguration = {
  showGlobalOptions: true,
  minWidthToWrap: 20,
  formatItem(term, termWidth, description, helper) {
    const width = helper.helpWidth ?? 80;
    if (!description || width - termWidth - 4 >= MIN_DESCRIPTION_WIDTH) {
      return Help.prototype.formatItem.call(helper, term, termWidth, description, helper);
    }
    const wrapped = helper.boxWrap(description, width - STACKED_INDENT.length);
    return `  ${term}\n${STACKED_INDENT}${wrapped.replace(/\n/g, `\n${STACKED_INDENT}`)}`;
  },
};

/**
 * Help text as written: lines longer than the width (text added after a
 * command's help, which commander leaves alone) are broken between words,
 * their continuation indented under them.
 */
export function wrapHelpOutput(text: string, width = helpWidth()): string {
  const help = Object.assign(new Help(), HELP_CONFIGURATION);
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const indent = /^\s*/.exec(line)![0];
      const hanging = `${indent}    `;
      const [first, ...rest] = help.boxWrap(line.slice(indent.length), width - hanging.length).split('\n');
      return [indent + first, ...rest.map((continued) => hanging + continued)].join('\n');
    })
    .join('\n');
}

/** An "Examples:" section at the end of a command's help. */
export function examples(command: Command, lines: readonly string[]): void {
  command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`);
}

/**
 * Points every usage error at the help of the command it happened in
 * (`hint: run \`authctl user switch --help\``), on stderr and in the
 * `--json` error event. Run once all commands exist.
 */
export function hintCommandHelp(command: Command): void {
  const help = `${commandPath(command)} --help`;
  command.configureOutput({ outputError: (message, write) => write(`authctl: ${message.replace(/^error: /, '')}hint: run \`${help}\`\n`) });
  command.exitOverride((error) => {
    throw new UsageError(error, help);
  });
  for (const sub of command.commands) hintCommandHelp(sub);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}
