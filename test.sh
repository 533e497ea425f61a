#!/usr/bin/env bash
# The one test command: installs and starts the real servers the tests need, runs every test,
# and stops the servers again, also when the tests fail.
#   ./test.sh                      # everything
#   ./test.sh --filter Category=Analytics   # extra arguments go to dotnet test
set -euo pipefail
cd "$(dirname "$0")"
trap 'scripts/test-services.sh stop' EXIT
scripts/test-services.sh start
# shellcheck disable=SC1091
source .test-services/env
dotnet build Portal.sln -c Release --nologo -v quiet
mkdir -p TestResults
# Real third-party recordings are not in the repository (docs/real-recordings.md): without them, leave
# their category out — combined with the caller's own --filter — and say so.
args=("$@")
real_dir="${PORTAL_REAL_RECORDINGS:-$HOME/.cache/ride-portal/real-recordings}"
if [ ! -d "$real_dir" ]; then
  echo "WARNING: no real recordings in $real_dir (set PORTAL_REAL_RECORDINGS; see docs/real-recordings.md): the RealData tests are SKIPPED." >&2
  filtered=0
  for i in "${!args[@]}"; do
    case "${args[$i]}" in
      --filter) args[i+1]="(${args[i+1]:-})&Category!=RealData"; filtered=1 ;;
      --filter=*) args[i]="--filter=(${args[i]#--filter=})&Category!=RealData"; filtered=1 ;;
    esac
  done
  [ "$filtered" = 1 ] || args+=(--filter "Category!=RealData")
fi
status=0
dotnet test Portal.sln -c Release --no-build --nologo --logger "console;verbosity=normal" --results-directory TestResults "${args[@]}" \
  | tee TestResults/console.log || status=$?
# CI keeps only the end of the output: repeat every failed test with its message last.
if grep -q '^  Failed ' TestResults/console.log; then
  echo "==================== failed tests ===================="
  awk '/^  Failed /{show=1; lines=0} /^  (Passed|Skipped) |^  Stack Trace:/{show=0} show && lines++ < 20' TestResults/console.log
fi
exit "$status"
