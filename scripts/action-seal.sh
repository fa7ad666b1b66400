#!/usr/bin/env bash
# The action's seal step: runs prod-smoke against the app and turns its
# exit status into the `verdict` and `exit-code` outputs and one workflow
# annotation. prod-smoke itself writes the step summary and the per-check
# ::error lines. Exit 0 green, 1 red, 2 bad input, 3 inconclusive; the
# step (and so the job) fails on anything but green.
#
# Reads: INPUT_APP, INPUT_URL, INPUT_RELEASE, INPUT_SHA,
#   INPUT_NOTES_MESSAGE_ID (blank = not passed), PROD_SMOKE (the binary,
#   default `prod-smoke` on PATH), CHROMIUM (the browser), RUNNER_TEMP,
#   GITHUB_RUN_ATTEMPT, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, INPUT_ATTEST
#   (`true` = write the predicate for actions/attest), INPUT_WATCH (blank =
#   seal once; else `prod-smoke watch --for INPUT_WATCH`) and
#   INPUT_WATCH_EVERY (default 5m); the secrets
#   (DATABASE_URL, DISCORD_*, PROD_SMOKE_WEBHOOK_*, GITHUB_TOKEN) reach
#   prod-smoke through the environment.
# Writes outputs: verdict, exit-code, artifact-name; manifest and
#   statement (the artifacts' sha256_manifest.txt and seal.intoto.json)
#   when the run wrote them (a watch's first pass: the seal); predicate (the statement's predicate alone, as
#   actions/attest takes it) when INPUT_ATTEST is true.
# Inputs reach this script only through the environment, never as ${{ }}
# spliced into shell.
set -uo pipefail

app="${INPUT_APP:-mcritchie-studio}"
runner_temp="${RUNNER_TEMP:?RUNNER_TEMP is not set}"
output="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
# The app as it may appear in an artifact name or a workflow command.
label="$(printf '%s' "$app" | tr -c 'A-Za-z0-9._-' '-')"
echo "artifact-name=prod-smoke-${label}-${GITHUB_RUN_ATTEMPT:-1}" >> "$output"

# The runner is thrown away: keep the ledger beside the artifacts so it is
# uploaded (`prod-smoke deliver --ledger` can replay it elsewhere).
export PROD_SMOKE_LEDGER="${PROD_SMOKE_LEDGER:-$runner_temp/prod-smoke-ledger.sqlite3}"

# A watch is the same seal, re-run on a schedule; its first pass writes
# what a single seal writes, into pass-001 of the artifacts folder.
if [ -n "${INPUT_WATCH:-}" ]; then
  args=(watch "$app" --for "$INPUT_WATCH" --every "${INPUT_WATCH_EVERY:-5m}")
else
  args=("$app")
fi
if [ -n "${INPUT_URL:-}" ]; then args+=(--url "$INPUT_URL"); fi
if [ -n "${INPUT_RELEASE:-}" ]; then args+=(--release "$INPUT_RELEASE"); fi
if [ -n "${INPUT_SHA:-}" ]; then args+=(--sha "$INPUT_SHA"); fi
if [ -n "${INPUT_NOTES_MESSAGE_ID:-}" ]; then args+=(--notes-message-id "$INPUT_NOTES_MESSAGE_ID"); fi
if [ -n "${CHROMIUM:-}" ]; then args+=(--chromium "$CHROMIUM"); fi

"${PROD_SMOKE:-prod-smoke}" "${args[@]}" \
  --artifacts "$runner_temp/prod-smoke-artifacts" \
  --json
code=$?
artifacts="$runner_temp/prod-smoke-artifacts"
if [ -n "${INPUT_WATCH:-}" ]; then artifacts="$artifacts/pass-001"; fi
if [ -f "$artifacts/seal.intoto.json" ] && [ -f "$artifacts/sha256_manifest.txt" ]; then
  echo "manifest=$artifacts/sha256_manifest.txt" >> "$output"
  echo "statement=$artifacts/seal.intoto.json" >> "$output"
  if [ "${INPUT_ATTEST:-false}" = "true" ]; then
    # Outside the artifacts folder: the manifest must not gain a file.
    predicate="$runner_temp/prod-smoke-predicate.json"
    if jq '.predicate' "$artifacts/seal.intoto.json" > "$predicate"; then
      echo "predicate=$predicate" >> "$output"
    else
      echo "::warning title=prod-smoke $label::attest: could not read the predicate from seal.intoto.json (is jq installed?); the seal is not attested."
    fi
  fi
fi
case "$code" in
  0) verdict=green ;;
  1) verdict=red ;;
  2) verdict=bad-input ;;
  3) verdict=inconclusive ;;
  *) verdict=crashed ;;
esac
echo "exit-code=$code" >> "$output"
echo "verdict=$verdict" >> "$output"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
case "$verdict" in
  green)
    echo "::notice title=prod-smoke $label::🟢 seal green" ;;
  red)
    echo "::error title=prod-smoke $label::🔴 seal RED: the site failed a check. Review the screenshots in the artifact and decide on the printed rollback; nothing was rolled back." ;;
  bad-input)
    echo "::error title=prod-smoke $label::bad input (exit 2): nothing ran; fix the inputs, spec or config."
    echo "### prod-smoke $label: bad input (exit 2), nothing ran" >> "$summary" ;;
  inconclusive)
    echo "::warning title=prod-smoke $label inconclusive::exit 3: prod-smoke's own environment broke (browser, runner). This is not a verdict on the site; treat it as red and look at the tool." ;;
  *)
    echo "::error title=prod-smoke $label::prod-smoke ended with status $code (killed or crashed); treat it as red."
    echo "### prod-smoke $label: ended with status $code (killed or crashed)" >> "$summary" ;;
esac
exit "$code"
