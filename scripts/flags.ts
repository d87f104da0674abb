import { parseArgs } from 'node:util';

/**
 * Parses `--name value` flags (every flag takes a value) with Node's own parser, for the small
 * CLIs under scripts/. Unknown flags or a missing value raise the usage line.
 */
export function parseFlags(
  argv: string[],
  names: readonly string[],
  usage: string,
): Map<string, string> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    return new Map(
      Object.entries(values).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    throw new Error(usage);
  }
}
