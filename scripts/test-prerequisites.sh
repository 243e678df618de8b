#!/usr/bin/env bash
# Run first by `npm test` (and .ci/run): what the tests need from the machine, installed when it
# can be, else one line saying what to install. The etcd backend's tests start real clusters of
# their own (test/support/etcd-cluster.ts) and fail, not skip, without an etcd binary.
set -uo pipefail

if command -v etcd >/dev/null 2>&1; then exit 0; fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-prerequisites: etcd is not on the PATH; installing Debian's etcd-server (about 40 s)"
  # The package would start its own etcd on 2379; the tests start theirs. Keep services down
  # while it installs (policy-rc.d, honoured by Debian's service start-up), then restore.
  policy=/usr/sbin/policy-rc.d
  saved=""
  if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null; }
  status=$?
  if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
  if [ "$status" -ne 0 ] || ! command -v etcd >/dev/null 2>&1; then
    echo "test-prerequisites: could not install etcd-server with apt-get (exit $status); install etcd 3.4 or later so that \`etcd\` is on the PATH" >&2
    exit 1
  fi
  exit 0
fi

echo "test-prerequisites: etcd is not on the PATH and cannot be installed here (not root, or no apt-get); install etcd 3.4 or later (Debian/Ubuntu: sudo apt-get install etcd-server), then run npm test again" >&2
exit 1
