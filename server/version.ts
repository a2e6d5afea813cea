/** The package's version, read once from the nearest package.json above this file (sources or dist/). */
import fs from 'node:fs'
import path from 'node:path'

/** summitpad's version (`package.json`), or '0.0.0' when no package.json is found. */
export function packageVersion(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'summitpad' && pkg.version) return pkg.version
    }
    if (path.dirname(dir) === dir) return '0.0.0'
  }
}
