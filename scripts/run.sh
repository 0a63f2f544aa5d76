#!/usr/bin/env bash
# Builds scopesync when needed and runs it. Arguments go to the server (e.g. --conf conf/config.json).
# With no --conf it runs on the embedded defaults: file store under ./data, port 7002.
#
# Start time and memory (DESIGN §14):
# - JVM settings for a small server (below); JAVA_OPTS is appended last, so it overrides any of them.
# - Application class-data sharing: the first start (and the first after the jar or the JVM changed)
#   makes a class-data archive with a short training run of the server on throwaway data
#   (ArchiveTraining: free loopback port, temp dirs, none of your config or scopes), then every start
#   maps it instead of loading ~5,000 classes from the jar. Archives live in target/cds/ (never
#   committed; `mvn clean` removes them with the jar). A missing, stale, corrupt or refused archive
#   never stops a start: it is made anew, or the server starts without it (-Xshare:auto).
# Environment: SCOPESYNC_CDS=off starts without an archive, SCOPESYNC_CDS=make only makes it (what
# `mvn package` does after shading the jar); SCOPESYNC_CDS_DIR moves the archives; SCOPESYNC_NO_BUILD=1
# skips the rebuild check (the jar must exist).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/scopesync.jar
if [ -z "${SCOPESYNC_NO_BUILD:-}" ] \
    && { [ ! -f "$jar" ] || [ -n "$(find pom.xml src conf -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; }; then
  echo "scopesync: building $jar" >&2
  mvn -q -B -DskipTests package
fi
java=java
# Hazelcast (clustered mode) wants these on Java 17; harmless otherwise.
opens=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
# A small server: the serial collector (no concurrent GC threads or remembered sets; pauses of a few ms
# at these heap sizes), a heap that starts at 16 MB and grows with the live data (up to the JVM's
# default of a quarter of the RAM or the container limit), and a smaller code cache reservation.
# Both JIT compilers: with C1 alone (-XX:TieredStopAtLevel=1) cached bundles go out at 0.65-0.85x
# nginx's rate, with C2 at 0.96x and more (DESIGN §18, scripts/bench.sh serve). C2 takes only code
# three times as hot as the JVM's default asks (the Tier4 thresholds): the start's one-off code
# stays with C1, which keeps the start's CPU, first clones and idle RSS close to C1 alone's.
jvm=(-XX:+UseSerialGC -Xms16m -XX:ReservedCodeCacheSize=64m -Xshare:auto
  -XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=2000 -XX:Tier4CompileThreshold=45000
  -XX:Tier4BackEdgeThreshold=120000)
# glibc gives each thread that mallocs its own arena (64 MB reserved each, partly touched): two are plenty.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
logback=()
[ -f conf/logback.xml ] && logback=(-Dlogback.configurationFile=conf/logback.xml)

# The archive's name is a hash of what the JVM checks before it maps one: the jar (path, size,
# modification time: a rebuilt jar gets a new archive even when its bytes are the same, because the JVM
# would refuse the old one) and the JVM (its release, the size and time of libjvm.so), plus the flags
# above. Computed from file metadata only, so the check costs no extra process start.
archive_flags=()
if [ "${SCOPESYNC_CDS:-on}" != off ]; then
  cds_dir=${SCOPESYNC_CDS_DIR:-target/cds}
  java_bin=$(readlink -f "$(command -v "$java")" 2>/dev/null || true)
  java_home=${java_bin%/bin/java}
  key=$( { stat -c '%n %s %Y %i' "$jar"; echo "$java_bin"; cat "$java_home/release" 2>/dev/null || true
      stat -c '%s %Y' "$java_home"/lib/server/libjvm.so 2>/dev/null || true; echo "${jvm[*]} ${opens[*]} ${logback[*]}"; } \
      | cksum | cut -d' ' -f1)
  archive="$cds_dir/scopesync-$key.jsa"
  # Java 17 maps a truncated archive and crashes, and maps a damaged one without noticing: an archive
  # is used only when its checksum (size and CRC, cksum) is the one written when it was made.
  usable() { [ -f "$archive" ] && [ -f "$archive.cksum" ] && [ "$(cksum < "$archive")" = "$(cat "$archive.cksum")" ]; }
  train() {
    echo "scopesync: making the class-data archive $archive (once per jar and JVM; log: $cds_dir/training.log)" >&2
    rm -f "$archive" "$archive.cksum"
    local tmp="$cds_dir/.training-$$.jsa" limit=()
    command -v timeout >/dev/null 2>&1 && limit=(timeout 120s)
    if "${limit[@]}" "$java" "${jvm[@]}" "${opens[@]}" "${logback[@]}" -XX:ArchiveClassesAtExit="$tmp" \
          -Dscopesync.archiveTraining=true -jar "$jar" > "$cds_dir/training.log" 2>&1 && [ -s "$tmp" ]; then
      rm -f "$cds_dir"/scopesync-*.jsa "$cds_dir"/scopesync-*.jsa.cksum "$cds_dir"/scopesync-*.jsa.failed
      cksum < "$tmp" > "$archive.cksum"
      mv -f "$tmp" "$archive"
    else
      echo "scopesync: no class-data archive (the training run failed, see $cds_dir/training.log; delete $archive.failed to try again); starting without" >&2
      rm -f "$tmp"
      : > "$archive.failed"
      return 1
    fi
  }
  if usable; then
    archive_flags=(-XX:SharedArchiveFile="$archive")
  elif [ ! -e "$archive.failed" ] && mkdir -p "$cds_dir" 2>/dev/null && [ -w "$cds_dir" ]; then
    # One training at a time per directory: a start that finds another one training starts without.
    exec 9>"$cds_dir/.lock"
    if { ! command -v flock >/dev/null 2>&1 || flock -n 9; } && { usable || train; }; then
      archive_flags=(-XX:SharedArchiveFile="$archive")
    fi
    exec 9>&-
  fi
fi
[ "${SCOPESYNC_CDS:-on}" = make ] && exit 0
exec "$java" "${jvm[@]}" "${opens[@]}" "${logback[@]}" "${archive_flags[@]}" ${JAVA_OPTS:-} -jar "$jar" "$@"
