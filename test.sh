#!/usr/bin/env bash
# Runs every test project of StructuredLog and ends with "N passed, N failed".
# Sets up what the tests need: restores packages, and installs the real peers the network tests use
# (rsyslog, rsyslog-gnutls, mosquitto) from Debian when they are missing and we are root.
set -uo pipefail
cd "$(dirname "$0")"

need_pkgs=()
command -v rsyslogd >/dev/null 2>&1 || need_pkgs+=(rsyslog)
[ -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so ] || ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1 || need_pkgs+=(rsyslog-gnutls)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_pkgs+=(mosquitto)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing test peers: ${need_pkgs[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}") >/tmp/structuredlog-apt.log 2>&1 \
      || echo "WARNING: could not install ${need_pkgs[*]} (see /tmp/structuredlog-apt.log); tests that need them will fail"
  else
    echo "WARNING: missing ${need_pkgs[*]}; run as root or install them (apt-get install -y ${need_pkgs[*]}) — tests that need them will fail"
  fi
fi

dotnet restore StructuredLog.sln --nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
dotnet build StructuredLog.sln -c Release --no-restore --nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

total_passed=0
total_failed=0
status=0
for proj in tests/*/*.Tests.csproj; do
  [ -e "$proj" ] || continue
  log=$(mktemp)
  dotnet test "$proj" -c Release --no-build --nologo 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '(Passed|Failed)!  - Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line")
    p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")
  else
    # the run crashed before xunit could summarise: count the project as one failure
    f=1; p=0
  fi
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [ "$rc" -ne 0 ] && status=1
  rm -f "$log"
done
echo "${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ] && [ "$status" -eq 0 ]
