/**
 * The seams of DESIGN.md as a test: the sync core imports only shared code, the interface files
 * and the Yjs family, never a transport, a database driver, or the environment; shared/ stays
 * isomorphic (no Node or DOM-only modules).
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../../..')

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
}

/** The file's code with comments removed (good enough for these checks). */
function codeOf(file: string): string {
  return fs
    .readFileSync(path.join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8')
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!)
}

describe('module boundaries', () => {
  it('keeps server/sync free of transports, databases and process.env', () => {
    const allowedPackages = ['yjs', 'y-protocols/', 'lib0/']
    const allowedLocal = /^\.\.\/(\.\.\/shared\/|storage\/doc-store\.ts$|bus\/bus\.ts$)|^\.\/[a-z-]+\.ts$/
    const files = sourceFiles('server/sync')
    expect(files.length).toBeGreaterThan(3)
    for (const file of files) {
      expect(codeOf(file), `${file} reads process.env`).not.toMatch(/process\.env/)
      for (const spec of importsOf(file)) {
        const ok = spec.startsWith('.') ? allowedLocal.test(spec) : allowedPackages.some((p) => spec === p || spec.startsWith(p))
        expect(ok, `${file} imports ${spec}`).toBe(true)
      }
    }
  })

  it('keeps each file of the sync core under 300 lines (issue 18)', () => {
    // update-shape.ts (the Yjs walker) is split under issue 18's walker part, on its own branch.
    const pending = new Set(['server/sync/update-shape.ts'])
    for (const file of sourceFiles('server/sync')) {
      if (pending.has(file)) continue
      const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n').length
      expect(lines, `${file} has ${lines} lines`).toBeLessThanOrEqual(300)
    }
  })

  it('keeps the Logger interface out of the sync core: declared in shared/, made in observability/', () => {
    expect(fs.existsSync(path.join(root, 'server/sync/logger.ts'))).toBe(false)
    for (const file of [...sourceFiles('server'), ...sourceFiles('test'), ...sourceFiles('bench')]) {
      for (const spec of importsOf(file)) expect(spec.endsWith('sync/logger.ts'), `${file} imports ${spec}`).toBe(false)
    }
  })

  it('keeps shared/ isomorphic', () => {
    const forbidden = /^(node:|ws$|express$|better-sqlite3$|pg$|ioredis$|pino$)/
    for (const file of sourceFiles('shared')) {
      for (const spec of importsOf(file)) expect(forbidden.test(spec), `${file} imports ${spec}`).toBe(false)
    }
  })

  it('reads the environment only in the entry points: server/main.ts and the CLI’s server/cli/main.ts', () => {
    const readers = sourceFiles('server').filter((file) => /process\.env/.test(codeOf(file)))
    expect(readers.sort()).toEqual(['server/cli/main.ts', 'server/main.ts'])
  })
})
