#!/usr/bin/env bash
# Run first by `npm test` (and .ci/run): what the tests need from the machine, installed when it
# can be, else one line saying what to install. The tests start real servers of their own
# (etcd clusters in test/support/etcd-cluster.ts; BIND and PowerDNS in test/support/bind-server.ts
# and pdns-server.ts; Kea in kea-server.ts) on 127.0.0.1 and high ports, and fail, not skip,
# without them.
set -uo pipefail

# A file each test needs, and the Debian package that ships it.
needs=(
  "etcd etcd-server"
  "/usr/sbin/named bind9"
  "/usr/sbin/tsig-keygen bind9"
  "/usr/bin/named-checkconf bind9-utils"
  "/usr/bin/dig bind9-dnsutils"
  "/usr/bin/nsupdate bind9-dnsutils"
  "/usr/sbin/pdns_server pdns-server"
  "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql pdns-backend-sqlite3"
  "/usr/bin/sqlite3 sqlite3"
  "/usr/sbin/kea-dhcp4 kea-dhcp4-server"
  "/usr/sbin/kea-ctrl-agent kea-ctrl-agent"
  # ip netns: the probe's black-box test (test/e2e/sync/probe.test.ts) makes network namespaces.
  "ip iproute2"
)

missing=()
for need in "${needs[@]}"; do
  file=${need% *}
  package=${need#* }
  if [[ $file == /* ]]; then [ -e "$file" ] && continue; else command -v "$file" >/dev/null 2>&1 && continue; fi
  [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-prerequisites: installing Debian's ${missing[*]} (about a minute)"
  # The packages would start their own etcd on 2379, named and pdns on 53, Kea on 67 and 8000;
  # the tests start theirs. Keep services down while they install (policy-rc.d, honoured by
  # Debian's service start-up), then restore.
  policy=/usr/sbin/policy-rc.d
  saved=""
  if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
  status=$?
  if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
  still=()
  for need in "${needs[@]}"; do
    file=${need% *}
    if [[ $file == /* ]]; then [ -e "$file" ] || still+=("$file"); else command -v "$file" >/dev/null 2>&1 || still+=("$file"); fi
  done
  if [ "$status" -ne 0 ] || [ "${#still[@]}" -ne 0 ]; then
    echo "test-prerequisites: could not install ${missing[*]} with apt-get (exit $status; still missing: ${still[*]}); install them so the tests can start their own servers" >&2
    exit 1
  fi
  exit 0
fi

echo "test-prerequisites: ${missing[*]} missing and cannot be installed here (not root, or no apt-get); install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}), then run npm test again" >&2
exit 1
