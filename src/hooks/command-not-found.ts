import { toConfiguredId, type Hook, type Interfaces } from '@oclif/core';
import askAboutTheClosest from '@oclif/plugin-not-found';
import { closest, isPlausible } from '../cli/closest.js';

/** The id a person types: `node status`, not oclif's `node:status`. */
function spaced(id: string, config: Interfaces.Config): string {
  return toConfiguredId(id, config);
}

/**
 * Prints one line, as every cairn error does (or the `{ error }` object when `--json` was asked
 * for), and exits with `code` through oclif so no other handler prints it again.
 */
function fail(this: Hook.Context, argv: string[] | undefined, message: string, code: number): never {
  if (argv?.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message } })}\n`);
  else process.stderr.write(`Error: ${message} (USAGE)\n`);
  this.exit(code);
  throw new Error('unreachable: exit throws');
}

/** Exit status of a shell for a command it cannot find; @oclif/plugin-not-found uses it too. */
const EXIT_NOT_FOUND = 127;
/** Exit status of a usage error inside a cairn command (see CairnCommand.catch). */
const EXIT_USAGE = 1;

/**
 * oclif joins the words typed into one id and, when no command has it, lands here. Two cases:
 * words after a command that takes no arguments (`cairn devnet extra-arg`), and a mistyped
 * command (`cairn node stat`). A terminal gets @oclif/plugin-not-found's "Did you mean …?"
 * prompt; a script or a pipe, which cannot answer, gets the suggestion in the error itself.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  const { config, id, argv } = opts;
  const hidden = new Set(config.commands.filter((c) => c.hidden).map((c) => c.id));
  const ids = [...config.commandIDs, ...config.commands.flatMap((c) => c.aliases)].filter((c) => !hidden.has(c));
  const words = id.split(':');
  const nearest = closest(id, ids);
  const typo = nearest && isPlausible(id, nearest) ? nearest.value : undefined;

  for (let n = words.length - 1; n > 0; n--) {
    const prefix = words.slice(0, n).join(':');
    if (!config.findCommand(prefix) || typo?.startsWith(`${prefix}:`)) continue;
    const extra = words.slice(n);
    const command = `${config.bin} ${spaced(prefix, config)}`;
    fail.call(
      this,
      argv,
      `\`${command}\` takes no arguments, so \`${extra.join(' ')}\` is unexpected; \`${command} --help\` shows its usage.`,
      EXIT_USAGE,
    );
  }

  if (process.stdin.isTTY && process.stdout.isTTY) return askAboutTheClosest.call(this, opts);

  const topic = config.findTopic(words[0]!) ? ` ${words[0]}` : '';
  const guess = typo ? ` Did you mean \`${spaced(typo, config)}\`?` : '';
  fail.call(
    this,
    argv,
    `\`${spaced(id, config)}\` is not a ${config.bin} command.${guess} \`${config.bin} help${topic}\` lists the commands.`,
    EXIT_NOT_FOUND,
  );
};

export default hook;
