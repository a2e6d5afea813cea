// Module loader hooks of loaded-modules.mjs: logs each URL as it is loaded.
import { appendFileSync } from 'node:fs'

export async function load(url, context, next) {
  if (process.env.LOADED_MODULES_FILE) appendFileSync(process.env.LOADED_MODULES_FILE, `${url}\n`)
  return next(url, context)
}
