// First: it loads reflect-metadata, which tsyringe (reached through the apps) needs before it loads.
import { CairnCommand } from '../../cli/base-command.js';
import { Args, Flags } from '@oclif/core';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinAppNames } from '../../apps/registry.js';
import { appTemplate, CAIRN_ROOT } from '../../cli/app-template/index.js';
import { ConfigError } from '../../kernel/index.js';

/** The registry's rule for app ids; also a valid npm package name and oclif topic. */
const APP_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export default class AppNew extends CairnCommand {
  static override summary = 'Generate a TypeScript package for a new chain app.';
  static override description =
    'The package holds a small working app (a guestbook: schema, check, reducer, queries), a test that runs it on three in-process nodes, two example `cairn NAME ...` commands (it is an oclif plugin) and a README. Its transactions need no command of their own: `cairn tx NAME sign --message hi` and `cairn tx NAME erase` submit them (`cairn tx NAME` lists them). `npm install && npm run build && npm test` pass right after generation.';
  static override examples = [
    '<%= config.bin %> app new guestbook',
    '<%= config.bin %> app new my-app --dir ~/code/my-app',
    '<%= config.bin %> app new my-app --cairn-version ^0.1.0 --json',
  ];

  static override args = {
    name: Args.string({
      description: 'App id and package name: lowercase letters, digits and "-", starting with a letter.',
      required: true,
    }),
  };

  static override flags = {
    dir: Flags.string({ summary: 'Directory to create the package in. [default: ./NAME]' }),
    force: Flags.boolean({ summary: 'Write into a directory that is not empty, replacing files of the same names.' }),
    'cairn-version': Flags.string({ summary: 'Dependency on cairn, e.g. ^0.1.0. [default: file: this cairn]' }),
  };

  async run(): Promise<{ dir: string; files: string[] }> {
    const { args, flags } = await this.parse(AppNew);
    const name = args.name;
    this.checkName(name);
    const dir = path.resolve(flags.dir ?? name);
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new ConfigError('APP_DIR_NOT_EMPTY', `${dir} exists and is not a directory`);
      if (readdirSync(dir).length > 0 && !flags.force)
        throw new ConfigError('APP_DIR_NOT_EMPTY', `${dir} is not empty: choose another --dir, or pass --force to write into it`);
    }
    const cairnSpec = flags['cairn-version'] ?? `file:${CAIRN_ROOT}`;
    if (cairnSpec.trim() === '') throw new ConfigError('CONFIG_INVALID', '--cairn-version must not be empty');

    const files = appTemplate({ name, cairnSpec });
    for (const file of files) {
      const target = path.join(dir, ...file.path.split('/'));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }

    const shown = path.relative(process.cwd(), dir) || '.';
    const start = this.config.findCommand('devnet') ? 'cairn devnet --app .' : 'cairn node start --app . --api-port 8080';
    this.log(`created app '${name}' in ${dir}:`);
    for (const file of files) this.log(`  ${file.path}`);
    this.log('');
    this.log('next:');
    this.log(`  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`);
    this.log('  npm install && npm run build && npm test');
    this.log(`  ${start}`);
    this.log(`  cairn tx ${name}                      # its transaction types and their flags`);
    this.log(`  cairn tx ${name} sign --message hello  # signed with your key 'default' (--key NAME)`);
    return { dir, files: files.map((f) => f.path) };
  }

  /** A lowercase id that is neither a built-in app nor one of cairn's own command topics. */
  private checkName(name: string): void {
    if (!APP_NAME.test(name)) {
      throw new ConfigError(
        'APP_NAME_INVALID',
        `'${name}' is not a valid app name: use 1 to 64 lowercase letters, digits and '-', starting with a letter (e.g. guestbook)`,
      );
    }
    if (name === 'cairn') throw new ConfigError('APP_NAME_INVALID', `'cairn' is taken by cairn itself: choose another app name`);
    if (builtinAppNames().includes(name)) throw new ConfigError('APP_NAME_INVALID', `'${name}' is a built-in app: choose another name`);
    const taken = new Set([
      ...this.config.topics.map((t) => t.name.split(':')[0]),
      ...this.config.commandIDs.map((id) => id.split(':')[0]),
    ]);
    if (taken.has(name))
      throw new ConfigError('APP_NAME_INVALID', `'${name}' is a cairn command, so \`cairn ${name} ...\` would clash: choose another name`);
    // `cairn tx APP TYPE` submits an app's transactions, but oclif resolves `cairn tx show ...` to `tx show`.
    const txCommands = new Set(this.config.commandIDs.filter((id) => id.startsWith('tx:')).map((id) => id.split(':')[1]));
    if (txCommands.has(name))
      throw new ConfigError(
        'APP_NAME_INVALID',
        `'${name}' would be shadowed: \`cairn tx ${name} ...\` runs cairn's own \`tx ${name}\` command, not your app's transactions; choose another name`,
      );
  }
}
