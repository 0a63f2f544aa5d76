#!/usr/bin/env bash
# Runs the whole test suite. First makes sure what the tests start is installed:
# git (its daemon serves test remotes), redis-server and sshd (openssh-server: ssh
# remotes). As root, missing ones are installed with apt-get; otherwise the script says
# what to install and stops.
# Extra arguments go to Maven (e.g. -Dtest=ChurnTest).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# The tests run /usr/sbin/sshd themselves, on a loopback port, with their own config.
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "scopesync tests: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # openssh-server's install would start the system sshd unless policy-rc.d says no
    # (container images usually ship one); ours lasts only for this install.
    own_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      own_policy=1
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ -n "$own_policy" ]; then
      rm -f /usr/sbin/policy-rc.d
      trap - EXIT
    fi
  else
    echo "scopesync tests need: ${missing[*]} (install them, or run this script as root to have apt-get do it)" >&2
    exit 1
  fi
fi

exec mvn -B -ntp verify "$@"
