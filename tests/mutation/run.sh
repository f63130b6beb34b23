#!/usr/bin/env bash
# Mutation testing by hand (not part of CI: minutes per module). Usage, from the repository:
#   tests/mutation/run.sh quarantine [release load ...]
# cosmic-ray rewrites the module in place for every mutant, so it works in a scratch copy of the
# tracked files (SCRATCH, default /tmp/jendela-mutation), with PYTHONPATH pointing there so that
# the tests and the publish.py subprocesses they start import the mutated copy. One session
# database per module is kept beside the copy; rerunning resumes the pending mutants.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
scratch=${SCRATCH:-/tmp/jendela-mutation}
mkdir -p "$scratch/tree"
git ls-files -z | (cd "$root" && xargs -0 cp --parents -P -t "$scratch/tree")
export PATH="$root/.venv/bin:$PATH" PYTHONPATH="$scratch/tree"
cd "$scratch/tree"
for module in "$@"; do
  session="$scratch/$module.sqlite"
  [ -f "$session" ] || cosmic-ray init "tests/mutation/$module.toml" "$session"
  cosmic-ray exec "tests/mutation/$module.toml" "$session"
  cr-report --show-diff --surviving-only "$session" > "$scratch/$module.survivors.txt"
  cr-report "$session" | tail -3
done
