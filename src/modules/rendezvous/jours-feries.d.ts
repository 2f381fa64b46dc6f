/** `@socialgouv/jours-feries` ships no types: a year → each holiday's name and day (midnight, machine clock). */
declare module '@socialgouv/jours-feries' {
  export default function joursFeries(year: number, options?: { alsace?: boolean }): Record<string, Date>;
}
