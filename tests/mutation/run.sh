#!/usr/bin/env bash
# Mutation testing by hand (not part of CI: minutes per module). Usage, from the repository:
#   tests/mutation/run.sh quarantine [release load ...]
# cosmic-ray rewrites the module in place for every mutant, so it works in a scratch copy of the
# tracked files (SCRATCH, default /tmp/jendela-mutation), with PYTHONPATH pointing there so that
# the tests and the publish.py subprocesses they start import the mutated copy. One session
# database per module is kept beside the copy; rerunning resumes the pending mutants. Run it under
# `nice -n 10` on a shared machine; give each concurrent run its own SCRATCH.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
scratch=${SCRATCH:-/tmp/jendela-mutation}
mkdir -p "$scratch/tree"
git ls-files -z | (cd "$root" && xargs -0 cp --parents -P -t "$scratch/tree")
export PATH="$root/.venv/bin:$PATH" PYTHONPATH="$scratch/tree"
# The real files stay where they are: from the scratch copy, ../shared/realdata would not exist
# and the tests that read them would skip.
export JENDELA_REALDATA="${JENDELA_REALDATA:-$(cd "$root/.." && pwd)/shared/realdata}"
cd "$scratch/tree"
for module in "$@"; do
  session="$scratch/$module.sqlite"
  if [ ! -f "$session" ]; then
    cosmic-ray init "tests/mutation/$module.toml" "$session"
    cr-filter-operators "$session" "tests/mutation/$module.toml"  # the bound in <module>.toml
    python "$root/tests/mutation/skip_annotations.py" "$session"
  fi
  cosmic-ray exec "tests/mutation/$module.toml" "$session"
  cr-report --show-diff --surviving-only "$session" > "$scratch/$module.survivors.txt"
  cr-report "$session" | tail -3
done
