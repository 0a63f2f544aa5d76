#!/usr/bin/env bash
# Benchmarks; each prints a Markdown table.
# Usage: scripts/bench.sh [all|boot|bundles|webhooks|jmh] [arg]
#        scripts/bench.sh soak [scopes] [sources] [cycles]   (default 5000 500 5; writes target/bench/soak.{csv,png})
#        scripts/bench.sh pubsub [clients] [scopes]          (default 5000 100: OPAL clients × 2 WebSockets against a
#                                                              server in its own JVM, then fan-out latency to 1,000 clients;
#                                                              the server's log goes to target/bench/pubsub-server.log)
#        scripts/bench.sh scale [scopes] [sources] [store]   (default 100000 10000 file; store file or redis: a server
#                                                              in its own JVM (-Xmx1g) over git-daemon sources; PUT/s at
#                                                              16 and 64 clients, time to every scope synced, heap per
#                                                              scope, webhook latency vs 10 scopes, restart, DELETE/s and
#                                                              counts back to 0; log in target/bench/scale-server.log)
#        scripts/bench.sh serve [seconds] [rounds]         (default 5 3: cached bundles from scopesync (scripts/run.sh, its
#                                                              own process) beside nginx serving the same bytes, wrk -t1 -c8
#                                                              in turns, medians and ratio; then bytes allocated per cached
#                                                              request, 50 KB and 1 MB bundles; installs nginx and wrk)
#        scripts/bench.sh start [scopes] [more] [starts]     (default 50 200 3: the server started by scripts/run.sh in its
#                                                              own process: start → /ready, → scopes served beside the git
#                                                              CLI's clones, CPU, RSS and threads idle / with 50 / with 200)
#        scripts/bench.sh shard [requests]                   (default 2000: 3 local sharded nodes, R = 1 and 2: fetches per
#                                                              push, clone bytes per node, bundle latency and throughput from
#                                                              an owner and a non-owner, crash of a node to its scopes served)
#        scripts/bench.sh shard-sim [sources] [nodes]       (default 1000000 10: placement of real source ids by rendezvous
#                                                              hashing, R = 1..3: balance, moves on join, leave and restart,
#                                                              time to place all on one core)
# 'all' (the default) runs boot, bundles, webhooks and a 1,000-scope soak in a few minutes.
# They run in one JVM on this machine (load client included), on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
mvn -q -B -ntp -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
mkdir -p target/tmp target/xdg
export XDG_CONFIG_HOME="$PWD/target/xdg"
run() { java -Xmx2g -Djava.io.tmpdir="$PWD/target/tmp" -Dlogback.configurationFile=src/test/resources/logback-bench.xml -cp "$cp" "$@"; }
echo "# scopesync benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -n 1)"
case "$what" in
  bundles) run dev.scopesync.bench.BundleBench "${2:-5}" ;;
  webhooks) run dev.scopesync.bench.WebhookBench "${2:-30}" ;;
  boot) run dev.scopesync.bench.BootBench "${2:-100}" ;;
  soak) run -Djava.awt.headless=true dev.scopesync.bench.SoakBench "${2:-5000}" "${3:-500}" "${4:-5}" ;;
  pubsub)
    # Each process holds one descriptor per socket (clients × 2): raise the limit as far as allowed.
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( ${2:-5000} * 2 + 1000 )) ]; then
      echo "warning: ulimit -n is $(ulimit -n), too low for $(( ${2:-5000} * 2 )) sockets" >&2
    fi
    run dev.scopesync.bench.PubSubBench "${2:-5000}" "${3:-100}" ;;
  scale)
    # The server holds a descriptor per client connection and per open clone: raise the limit as far as allowed.
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
      echo "warning: ulimit -n is $(ulimit -n)" >&2
    fi
    run dev.scopesync.bench.ScaleBench "${2:-100000}" "${3:-10000}" "${4:-file}" ;;
  serve)
    # nginx (the yardstick) and wrk (the load), from Debian's packages when missing, as the tests install redis-server.
    for tool in nginx:nginx wrk:wrk; do
      if ! command -v "${tool%%:*}" >/dev/null 2>&1 && [ ! -x "/usr/sbin/${tool%%:*}" ]; then
        if [ "$(id -u)" -eq 0 ]; then
          # Debian's package would start a system nginx on port 80 of every interface: policy-rc.d
          # (101: "action forbidden") keeps it from starting while it installs.
          made_policy=
          if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tool#*:}" >/dev/null \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tool#*:}" >/dev/null; }
          [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
        else
          echo "serve needs ${tool%%:*} (Debian package ${tool#*:}): install it, or run as root" >&2; exit 1
        fi
      fi
    done
    run dev.scopesync.bench.ServeBench "${2:-5}" "${3:-3}" ;;
  start) run dev.scopesync.bench.StartBench "${2:-50}" "${3:-200}" "${4:-3}" ;;
  shard-sim) run dev.scopesync.bench.ShardSim "${2:-1000000}" "${3:-10}" ;;
  shard) run dev.scopesync.bench.ShardBench "${2:-2000}" ;;
  jmh) mkdir -p target/bench; run org.openjdk.jmh.Main "${2:-(BundleMakerJmh|SourceQueuesJmh)}" -rf text -rff target/bench/jmh.txt ;;
  all)
    run dev.scopesync.bench.BootBench 100; echo
    run dev.scopesync.bench.BundleBench 5; echo
    run dev.scopesync.bench.WebhookBench 30; echo
    run -Djava.awt.headless=true dev.scopesync.bench.SoakBench 1000 100 3 ;;
  *) echo "unknown benchmark '$what' (known: all, boot, bundles, webhooks, soak, pubsub, serve, start, scale, shard, shard-sim, jmh)" >&2; exit 2 ;;
esac
