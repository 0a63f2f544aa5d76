#!/usr/bin/env bash
# Runs the whole test suite. First makes sure what the tests start is installed:
# git (its daemon serves test remotes) and redis-server. As root, missing ones are
# installed with apt-get; otherwise the script says what to install and stops.
# Extra arguments go to Maven (e.g. -Dtest=ChurnTest).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "scopesync tests: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "scopesync tests need: ${missing[*]} (install them, or run this script as root to have apt-get do it)" >&2
    exit 1
  fi
fi

exec mvn -B -ntp verify "$@"
