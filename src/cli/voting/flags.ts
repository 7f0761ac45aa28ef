import { Flags } from '@oclif/core';

export const electionFlag = Flags.string({ summary: 'Election id.', default: 'default' });
