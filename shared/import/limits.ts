/**
 * The limits every import is held to, and the error it is refused with: cheap checks the server's
 * main thread runs before it hands an import to a worker, apart from the parsers (`markdown.ts`,
 * which loads markdown-it and prosemirror-markdown), so checking an import does not load them.
 */

/** The largest import accepted, in bytes of UTF-8. @default 524288 (512 KiB) */
export const maxImportBytes = 512 * 1024

/**
 * The most non-blank lines an import may have: every agenda item, list item or block takes at
 * least one, so this bounds the items the parser builds (issue 15: 256,000 one-letter lines
 * overflowed the stack, 60,000 list items took 4.2 s). @default 10000
 */
export const maxImportLines = 10_000

/** Why an import was refused. */
export type ImportErrorReason = 'too_large' | 'too_many_items' | 'binary' | 'empty' | 'malformed'

/**
 * Thrown for input that cannot be imported: larger than {@link maxImportBytes} (`too_large`),
 * with more than {@link maxImportLines} non-blank lines (`too_many_items`),
 * containing NUL characters, which text never does (`binary`), or without any text to import
 * (`empty`), or not in the format it claims to be (`malformed`, Etherpad imports). The message says why, for people; `reason` is for programs.
 */
export class ImportError extends Error {
  constructor(
    readonly reason: ImportErrorReason,
    message: string,
  ) {
    super(message)
    this.name = 'ImportError'
  }
}

/**
 * Checks the cheap limits of an import (bytes, non-blank lines), linear in its length: callers
 * run it before handing the import to a worker. Throws the ImportError `importAgenda` would.
 */
export function checkImportLimits(input: string): void {
  const bytes = utf8Length(input, maxImportBytes)
  if (bytes > maxImportBytes) {
    throw new ImportError('too_large', `import is too large: more than ${maxImportBytes} bytes (512 KiB) of UTF-8`)
  }
  const lines = nonBlankLineCount(input, maxImportLines)
  if (lines > maxImportLines) {
    throw new ImportError('too_many_items', `import has more than ${maxImportLines} non-blank lines; at most ${maxImportLines} items and blocks are imported`)
  }
}

/** Non-blank lines of `text`, counted up to `limit + 1`. */
function nonBlankLineCount(text: string, limit: number): number {
  let count = 0
  let blank = true
  for (let i = 0; i < text.length && count <= limit; i++) {
    const code = text.charCodeAt(i)
    if (code === 10 || code === 13) {
      if (!blank) count++
      blank = true
    } else if (blank && code !== 32 && code !== 9) {
      blank = false
    }
  }
  return blank ? count : count + 1
}

/** UTF-8 length of `text`; past `limit` only a lower bound (the import is too large either way). */
function utf8Length(text: string, limit: number): number {
  // Every UTF-16 unit takes at least one byte, so a long string is too large without encoding.
  return text.length > limit ? text.length : new TextEncoder().encode(text).length
}
