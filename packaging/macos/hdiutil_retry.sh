# shellcheck shell=bash
# hdiutil_retry ARGS...: runs hdiutil, and again (up to HDIUTIL_ATTEMPTS times, HDIUTIL_RETRY_DELAY
# seconds apart, growing) while it fails with "Resource busy": on CI runners Spotlight or another
# process often holds a fresh image for a moment after create, attach or detach. Any other
# failure is returned at once, with hdiutil's own message.
# Sourced by make_dmg.sh and check_dmg.sh; tests/test_release_workflow.py runs it with a fake hdiutil.
hdiutil_retry() {
  local attempts="${HDIUTIL_ATTEMPTS:-5}" delay="${HDIUTIL_RETRY_DELAY:-5}" attempt output status
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    status=0
    output=$(hdiutil "$@" 2>&1) || status=$?
    if ((status == 0)); then
      [[ -n "$output" ]] && printf '%s\n' "$output"
      return 0
    fi
    if [[ "$output" != *"Resource busy"* ]] || ((attempt == attempts)); then
      printf '%s\n' "$output" >&2
      return "$status"
    fi
    echo "hdiutil $1: resource busy, trying again in $((delay * attempt)) s ($attempt/$attempts)" >&2
    sleep $((delay * attempt))
  done
}
