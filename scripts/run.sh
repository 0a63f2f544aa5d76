#!/usr/bin/env bash
# Builds scopesync when needed and runs it. Arguments go to the server (e.g. --conf conf/config.json).
# With no --conf it runs on the embedded defaults: file store under ./data, port 7002.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/scopesync.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src conf -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
  echo "scopesync: building $jar" >&2
  mvn -q -B -DskipTests package
fi
# Hazelcast (clustered mode) wants these on Java 17; harmless otherwise.
opens=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
logback=()
[ -f conf/logback.xml ] && logback=(-Dlogback.configurationFile=conf/logback.xml)
exec java ${JAVA_OPTS:-} "${opens[@]}" "${logback[@]}" -jar "$jar" "$@"
