import type { Command } from 'commander';

/**
 * A command that several modules extend with subcommands (`import lieux`, `import ifn`…):
 * the first module creates it, the others find it.
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}
