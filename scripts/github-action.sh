#!/usr/bin/env bash
# The GitHub Action's work (action.yml runs this script): install lintkit from the action's own
# checkout into a virtualenv, print the findings as workflow annotations and, when asked, write
# a SARIF report too. Inputs come from environment variables, so it also runs outside GitHub
# (tests/test_github_action.py runs it on a copy of the demo project):
#
#   INPUT_PATH        paths to check, split like shell words (quotes, no expansion); default "."
#   INPUT_ARGS        more `lintkit check` options, split the same way
#   INPUT_FAIL_ON     --fail-on severity (empty: the configuration's, else lintkit's default)
#   INPUT_SARIF_FILE  also write a SARIF report to this file (empty: no SARIF)
#   GITHUB_ACTION_PATH  the action's checkout: what pip installs
#   RUNNER_TEMP       where the virtualenv goes (default: $TMPDIR or /tmp)
#   GITHUB_OUTPUT     if set, the step outputs `exit-code` and `sarif-file` are appended to it
#   LINTKIT_ACTION_SKIP_INSTALL=1  use the `lintkit` found on PATH instead of installing
#
# Exit status: the annotation run's (0 clean, 1 findings at or above --fail-on, 2 lintkit could
# not run), or 2 when the SARIF run fails or the action itself is misused. The SARIF run uses
# --exit-zero, so findings never stop the report from being written.
# Written for bash 3.2 too (macOS runners): no mapfile, empty arrays expanded with ${a[@]+...}.
set -u

fail() {
  echo "::error title=lintkit action::$1"
  write_output exit-code 2
  exit 2
}

write_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# the virtualenv and scratch files: only this step uses them
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/lintkit-action.XXXXXX") || fail "cannot create a temporary folder"
trap 'rm -rf "$work"' EXIT

# Splits $1 like shell words (quotes group, nothing is expanded, no globbing) into the array
# `words`. Input values are never evaluated by a shell: `args: --exclude 'build/*'` reaches
# lintkit as the two words `--exclude` and `build/*`.
split_words() {
  local word
  python3 -c '
import shlex, sys
try:
    words = shlex.split(sys.argv[1])
except ValueError as error:
    sys.exit(f"{error}: {sys.argv[1]!r}")
sys.stdout.write("".join(word + "\0" for word in words))
' "$1" >"$work/words" 2>"$work/words.err" || return 1
  words=()
  while IFS= read -r -d '' word; do
    words+=("$word")
  done <"$work/words"
}

command -v python3 >/dev/null 2>&1 || fail "python3 is not on PATH: set the action's python-version input"

split_words "${INPUT_PATH:-}" || fail "input path: $(cat "$work/words.err")"
paths=(${words[@]+"${words[@]}"})
split_words "${INPUT_ARGS:-}" || fail "input args: $(cat "$work/words.err")"
args=(${words[@]+"${words[@]}"})
if [ "${#paths[@]}" -eq 0 ]; then
  paths=(.)
fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then
  args=(--fail-on "$INPUT_FAIL_ON" ${args[@]+"${args[@]}"})
fi

if [ "${LINTKIT_ACTION_SKIP_INSTALL:-}" = 1 ]; then
  lintkit=$(command -v lintkit) || fail "LINTKIT_ACTION_SKIP_INSTALL=1 but there is no lintkit on PATH"
else
  [ -n "${GITHUB_ACTION_PATH:-}" ] || fail "GITHUB_ACTION_PATH is not set: it names the action's checkout to install"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
    fail "lintkit needs Python 3.10 or newer, python3 on PATH is $(python3 -c 'import platform; print(platform.python_version())'): set the action's python-version input"
  echo "::group::Install lintkit from $GITHUB_ACTION_PATH"
  python3 -m venv "$work/venv" &&
    "$work/venv/bin/python" -m pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"
  installed=$?
  echo "::endgroup::"
  [ "$installed" -eq 0 ] || fail "pip could not install lintkit from $GITHUB_ACTION_PATH (its messages are in the group above)"
  lintkit="$work/venv/bin/lintkit"
fi

# Our output options come after the user's args: the last value of an option wins, so `args`
# cannot turn the annotations or the SARIF file into another format by accident.
"$lintkit" check ${args[@]+"${args[@]}"} --output-format github -- "${paths[@]}"
status=$?
if [ "$status" -ge 2 ]; then
  echo "::error title=lintkit::lintkit check could not run (exit $status): its message is in the log above"
fi

if [ -n "${INPUT_SARIF_FILE:-}" ]; then
  mkdir -p "$(dirname "$INPUT_SARIF_FILE")" || fail "cannot create the folder of sarif-file $INPUT_SARIF_FILE"
  # --no-show-notes: the annotation run printed the notes already
  "$lintkit" check ${args[@]+"${args[@]}"} --output-format sarif -o "$INPUT_SARIF_FILE" --exit-zero --no-show-notes -- "${paths[@]}"
  sarif_status=$?
  if [ "$sarif_status" -ne 0 ]; then
    echo "::error title=lintkit::lintkit could not write the SARIF report $INPUT_SARIF_FILE (exit $sarif_status)"
    if [ "$status" -lt 2 ]; then
      status=2
    fi
  elif [ -f "$INPUT_SARIF_FILE" ]; then
    write_output sarif-file "$INPUT_SARIF_FILE"
  fi
fi

write_output exit-code "$status"
exit "$status"
