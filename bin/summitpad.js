#!/usr/bin/env node
// `summitpad <command>`: runs the compiled command line (dist/, after `npm run build`), or the
// TypeScript sources through tsx in a development checkout where dist/ is not built.
import fs from 'node:fs'

const compiled = new URL('../dist/server/cli/main.js', import.meta.url)
if (fs.existsSync(compiled)) {
  await import(compiled.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(new URL('../server/cli/main.ts', import.meta.url).href)
}
