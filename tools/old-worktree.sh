# Sourced by the side-by-side benchmarks: checks OLD_COMMIT out into a temporary worktree, $OLD_TREE, with a scratch
# directory $WORK beside it; both are removed when the script exits. Needs ROOT and OLD_COMMIT set.
WORK="$(mktemp -d)"
OLD_TREE="$WORK/old"
cleanup() {
  git -C "$ROOT" worktree remove --force "$OLD_TREE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
git -C "$ROOT" worktree add --detach "$OLD_TREE" "$OLD_COMMIT" >/dev/null 2>&1
echo "== building $OLD_COMMIT and this checkout (untimed)" >&2
