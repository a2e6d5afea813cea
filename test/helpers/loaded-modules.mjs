// `node --import ./test/helpers/loaded-modules.mjs ...`: appends the URL of every module the
// process loads through the ES module loader (our code imports every package that way) to the
// file named by LOADED_MODULES_FILE, one a line. The hooks run in loaded-modules-hooks.mjs.
import { register } from 'node:module'

register('./loaded-modules-hooks.mjs', import.meta.url)
