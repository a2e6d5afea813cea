// `npm install`'s prepare step: builds the compiled tree (`npm run build`) when it is missing or
// older than the sources, so that `npm install && npm start` works on a fresh clone while `npm start`
// itself is plain `node dist/server/main.js`. Where the build tools are not installed
// (`npm ci --omit=dev` on a built tree) it does nothing, and it never fails an install by itself
// being unable to build: the build's own errors fail it.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const outputs = ['dist/server/main.js', 'dist/client/index.html'].map((file) => path.join(root, file))
const sources = ['server', 'shared', 'client']

function newestSource() {
  let newest = 0
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else newest = Math.max(newest, fs.statSync(full).mtimeMs)
    }
  }
  for (const dir of sources) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir))
  return newest
}

const canBuild = fs.existsSync(path.join(root, 'node_modules/typescript')) && fs.existsSync(path.join(root, 'node_modules/vite'))
if (!canBuild) process.exit(0)
const missing = outputs.some((file) => !fs.existsSync(file))
const oldest = missing ? 0 : Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs))
if (!missing && newestSource() <= oldest) process.exit(0)
console.error(`summitpad: ${missing ? 'no build yet' : 'the sources changed'}: running npm run build`)
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
process.exit(build.status ?? 1)
