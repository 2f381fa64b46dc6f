import { sealJournal, verifyChain } from '../../platform/audit/journal.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';

export function journalCli({ program, withDb }: CliContext): void {
  const auditCommand = program.command('audit').description('Journal d’audit');
  auditCommand
    .command('verify')
    .description(
      'Vérifier que le journal est intact (chaîne d’empreintes SHA-256, et signatures avec RELAIS_AUDIT_KEY)',
    )
    .action(() =>
      withDb(async ({ db, config }) => {
        const key = config.auditKey;
        // Entries written a moment ago join the chain first, so that every entry is checked.
        await sealJournal(db, { key });
        const result = await verifyChain(db, { key });
        if (!result.ok) {
          throw new CliError(
            `Journal altéré : l’entrée n° ${result.brokenAt} est la première en défaut, ${result.reason}. ${result.count} entrée(s) vérifiée(s) avant elle.`,
          );
        }
        console.log(`Journal intact : ${result.count} entrée(s) vérifiée(s).`);
        if (!key) {
          console.log(
            'Signatures non vérifiées : RELAIS_AUDIT_KEY n’est pas définie (seule la chaîne d’empreintes est contrôlée).',
          );
        } else if (result.signedFrom) {
          console.log(
            `Entrées signées à partir de la position ${result.signedFrom} : comparez-la à celle que vous avez notée au premier démarrage avec la clé.`,
          );
        }
      }),
    );
}
