#!/bin/sh
# Grafana's entrypoint in docker-compose.yaml: runs the image's own entrypoint (/run.sh) as the owner of Grafana's
# data folder, the repository's data/, bind-mounted at $GF_PATHS_DATA.
#
# Why: the grafana/grafana image runs as uid 472, and /run.sh (`set -e`) exits when it cannot create
# $GF_PATHS_PLUGINS in its data folder. A bind-mounted data/ keeps its owner on the host: the learner's uid (any
# number), root for a clone made as root, and 0 as seen in the container under rootless Docker or Podman (there
# the learner is root of their user namespace). So the container starts as root and this script runs Grafana as
# whoever owns data/: Grafana can write there, and every file it writes belongs to that owner, who can delete it
# without sudo. Grafana runs as root only when data/ itself belongs to root.
#
# Usage: data-owner.sh <command> [args...]   (compose: data-owner.sh /run.sh)
# setpriv is util-linux's, in the image's Ubuntu base (GRAFANA_VERSION's -ubuntu tag) as on any Linux.
set -eu

data="${GF_PATHS_DATA:-/var/lib/grafana}"

if [ "$#" -eq 0 ]; then
  echo "data-owner.sh: no command to run (compose runs: data-owner.sh /run.sh)" >&2
  exit 2
fi
if [ ! -d "$data" ]; then
  echo "data-owner.sh: $data is not a folder: docker-compose.yaml bind-mounts the repository's data/ there" >&2
  exit 1
fi

owner=$(stat -c %u "$data")
group=$(stat -c %g "$data")
me=$(id -u)

if [ "$me" = "$owner" ]; then
  exec "$@"
fi
if [ "$me" != 0 ]; then
  echo "data-owner.sh: $data belongs to uid $owner and this runs as uid $me, not root, so Grafana could not" \
    "write there: start the container as root (docker-compose.yaml: user: '0:0' for grafana)" >&2
  exit 1
fi
exec setpriv --reuid="$owner" --regid="$group" --clear-groups "$@"
