import { sealJournal, verifyChain } from '../../platform/audit/journal.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';

export function journalCli({ program, withDb }: CliContext): void {
  const auditCommand = program.command('audit').description('Journal d’audit');
  auditCommand
    .command('verify')
    .description('Vérifier que le journal est intact (chaîne d’empreintes SHA-256)')
    .action(() =>
      withDb(async ({ db }) => {
        // Entries written a moment ago join the chain first, so that every entry is checked.
        await sealJournal(db);
        const result = await verifyChain(db);
        if (!result.ok) {
          throw new CliError(
            `Journal altéré : l’entrée n° ${result.brokenAt} est la première en défaut, ${result.reason}. ${result.count} entrée(s) vérifiée(s) avant elle.`,
          );
        }
        console.log(`Journal intact : ${result.count} entrée(s) vérifiée(s).`);
      }),
    );
}
