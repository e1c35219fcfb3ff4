#!/usr/bin/env bash
# The composite action's second step (action.yml): run the command under
# sctrace with every report GitHub can show, then print the annotations to
# the step's output, where the runner turns each into an annotation. The
# job summary goes to $GITHUB_STEP_SUMMARY by itself. Exits with sctrace's
# status (the command's, docs/cli.md), which fails the step when it failed.
set -uo pipefail
reports=${SCTRACE_REPORTS:-sctrace-reports}
mkdir -p "$reports"
args=(--junit "$reports/junit.xml" --sarif "$reports/sctrace.sarif"
      --annotations "$reports/annotations.txt" --flight-recorder-output "$reports/flight")
if [ -n "${SCTRACE_FLIGHT_RECORDER:-}" ]; then args+=(--flight-recorder "$SCTRACE_FLIGHT_RECORDER"); fi
if [ -n "${SCTRACE_REPEAT:-}" ]; then args+=(--repeat "$SCTRACE_REPEAT"); fi
if [ "${SCTRACE_UNTIL_FAIL:-false}" = true ]; then args+=(--until-fail); fi
# The options are words, as typed in the workflow.
read -r -a options <<<"${SCTRACE_OPTIONS:-}"
status=0
sctrace "${options[@]}" "${args[@]}" -- bash -c "${SCTRACE_COMMAND:?the command to run}" || status=$?
if [ -s "$reports/annotations.txt" ]; then cat "$reports/annotations.txt"; fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "exit-status=$status" >>"$GITHUB_OUTPUT"; fi
exit "$status"
