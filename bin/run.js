#!/usr/bin/env node
import 'reflect-metadata';
import { execute, settings } from '@oclif/core';

// Commands of linked app plugins run from their compiled dist/; oclif's attempt to transpile
// their TypeScript sources only prints a warning on every command.
settings.enableAutoTranspile = false;

await execute({ dir: import.meta.url });
