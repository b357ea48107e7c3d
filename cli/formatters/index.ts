// The formatter registry: format name to formatter, all with one signature.
import type { Formatter } from './types.js';
import { stylish } from './stylish.js';
import { json } from './json.js';
import { sarif } from './sarif.js';
import { github } from './github.js';
import { html } from './html.js';

export type { Formatter, FormatContext } from './types.js';

export const FORMATTERS: ReadonlyMap<string, Formatter> = new Map([
  ['stylish', stylish],
  ['json', json],
  ['sarif', sarif],
  ['github', github],
  ['html', html],
]);
