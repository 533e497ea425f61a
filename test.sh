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
status=0
dotnet test Portal.sln -c Release --no-build --nologo --logger "console;verbosity=normal" --results-directory TestResults "$@" \
  | tee TestResults/console.log || status=$?
# CI keeps only the end of the output: repeat every failed test with its message last.
if grep -q '^  Failed ' TestResults/console.log; then
  echo "==================== failed tests ===================="
  awk '/^  Failed /{show=1; lines=0} /^  (Passed|Skipped) |^  Stack Trace:/{show=0} show && lines++ < 20' TestResults/console.log
fi
exit "$status"
