# Shared helpers for scripts/*. Source it: . "$(dirname "$0")/lib.sh"
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="$ROOT/.cache"            # git-ignored: npm packages, corpora, build outputs
GOWASM="$(go env GOROOT)/lib/wasm"

die() { echo "error: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

# need_node stops with a clear message when Node.js is missing (the wasm tests,
# workerd and the bundle all need it).
need_node() {
	command -v node >/dev/null 2>&1 || die "Node.js is required (apt-get install -y nodejs npm)"
}

# npm_pkg NAME VERSION: installs an npm package into .cache/npm/NAME@VERSION (no
# global installs) and prints the folder holding its package.json.
npm_pkg() {
	local name=$1 version=$2 dir="$CACHE/npm/${1//\//_}@$2"
	if [ ! -f "$dir/package/package.json" ]; then
		need_node
		mkdir -p "$dir"
		(cd "$dir" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz) ||
			die "could not fetch npm package $name@$version"
	fi
	echo "$dir/package"
}
