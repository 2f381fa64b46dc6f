/** An error the command line prints as is (in French) before exiting with code 1. */
export class CliError extends Error {}
