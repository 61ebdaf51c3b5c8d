import type { HttpTokens } from '../../src/wire.js';

export const HTTP_TOKENS_VALUES: readonly HttpTokens[] = ['optional', 'required'];
