#!/usr/bin/env bash
# The GitHub Action's audit step (see action.yml): runs `airlock audit` with SARIF output, then
# prints the same findings as workflow annotations (served from the cache the first run filled),
# and records the exit code. The job's result is decided by a later step, after the SARIF upload.
# Inputs come in environment variables, never interpolated into the script.
set -uo pipefail

bin="${AIRLOCK_BIN:?set AIRLOCK_BIN to the path of dist/cli/bin.js}"
sarif="${AIRLOCK_SARIF:-airlock.sarif}"
out="${GITHUB_OUTPUT:-/dev/null}"
read -r -a paths <<< "${AIRLOCK_PATHS:-.}"
read -r -a extra <<< "${AIRLOCK_ARGS:-}"
options=(--cache --cache-location "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/airlock-cache")
if [ -n "${AIRLOCK_PROFILE:-}" ]; then options+=(--profile "$AIRLOCK_PROFILE"); fi

node "$bin" audit "${paths[@]}" "${options[@]}" "${extra[@]}" --format sarif --output-file "$sarif"
code=$?

{
  echo "exit-code=$code"
  if [ -f "$sarif" ]; then
    echo "sarif-file=$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")"
    echo "sarif-written=true"
  else
    echo "sarif-written=false"
  fi
} >> "$out"

if [ "$code" -ge 2 ]; then
  echo "::error title=airlock::airlock audit could not run (exit code $code); see the message above"
  exit "$code"
fi
# Annotations on the pull request's diff (a cached re-run: cheap). Not when writing a baseline.
case " ${extra[*]:-} " in
  *" --write-baseline"*) ;;
  *) node "$bin" audit "${paths[@]}" "${options[@]}" "${extra[@]}" --format github || true ;;
esac
exit 0
