import path from 'node:path';

/**
 * Relais runs from its sources (TypeScript, through the loader: tests, `npm run relais`) or from
 * their build (`dist/`, plain JavaScript: a server). A file that names another module at run
 * time (a worker, a child process) names it without its extension, and takes its own.
 */

/** The module `relative` to `from` (an `import.meta.url`), with `from`'s extension. */
export const moduleBeside = (relative: string, from: string): URL =>
  new URL(`${relative}${path.extname(from)}`, from);

/** Whether `from` (an `import.meta.url`) runs from the sources, and so needs the TypeScript loader. */
export const runsFromSources = (from: string): boolean => path.extname(from) === '.ts';
