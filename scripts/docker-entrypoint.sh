#!/bin/sh
# The image's one entry point: `worker`, `server`, `migrate` or `cli <args>` run the package.json
# script of that name, but as `node --import tsx <file>` in place of `tsx <file>`, so that node is
# the process tini signals (the tsx CLI would run the program in a child of its own). Anything
# else is executed as given (e.g. `sh`).
set -eu
name="${1:-worker}"
script=$(node -p "(require('./package.json').scripts || {})[process.argv[1]] || ''" "$name")
case "$script" in
  "tsx "*)
    shift || true
    # The script's own words (file and fixed arguments) are split on purpose; the caller's are kept as given.
    # shellcheck disable=SC2086
    exec node --import tsx ${script#tsx } "$@"
    ;;
  "")
    exec "$@"
    ;;
  *)
    echo "docker-entrypoint: the package.json script \"$name\" is \"$script\", not a tsx command; run it with npm run $name" >&2
    exit 2
    ;;
esac
