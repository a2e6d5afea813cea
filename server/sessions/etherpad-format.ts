/**
 * The format of an Etherpad export, by its name or its first character: what the main thread needs
 * before it hands the file to the import worker (`etherpad-seed.ts`, which loads the parsers).
 */
import type { EtherpadFormat } from '../../shared/api.ts'

/** The format of an Etherpad export by its file name (`.etherpad`, `.html`/`.htm`, `.txt`), else null. */
export function etherpadFormatOfName(name: string): EtherpadFormat | null {
  return /\.etherpad$/i.test(name) ? 'etherpad' : /\.html?$/i.test(name) ? 'html' : /\.txt$/i.test(name) ? 'text' : null
}

/** The format of an Etherpad export by its first character: `{` `.etherpad`, `<` HTML, else text. */
export function detectEtherpadFormat(file: string): EtherpadFormat {
  const first = /\S/.exec(file.slice(0, 4096))?.[0]
  return first === '{' ? 'etherpad' : first === '<' ? 'html' : 'text'
}
