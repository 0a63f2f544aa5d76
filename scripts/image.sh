#!/usr/bin/env bash
# Builds the scopesync server's OCI image from Debian's packages (DESIGN §17 "Image"), and checks it.
#
#   scripts/image.sh                  build target/image/oci (an OCI image layout, tags latest and
#                                     the project version) and target/image/scopesync-oci.tar
#   scripts/image.sh --check          build, then check the image (below)
#   scripts/image.sh check            check the image already built, without building
#   scripts/image.sh --docker-archive also write target/image/scopesync-docker.tar (skopeo)
#   scripts/image.sh --refresh        make the Debian base anew (new security updates)
#
# Using it: `podman load -i target/image/scopesync-oci.tar` or `docker load -i …` (Docker 25+ reads
# OCI archives; older ones want --docker-archive), or `skopeo copy oci:target/image/oci:latest
# docker://registry/scopesync:tag`. Then e.g. `docker run -p 7002:7002 -e OPAL_POLICY_REPO_URL=… scopesync`.
#
# The image, like OPAL server's: listens on 0.0.0.0:7002 (OPAL_SERVER_HOST / OPAL_SERVER_BIND_PORT in
# its environment, so a user's OPAL_* or SCOPESYNC_* variables win), runs as uid:gid 1000:1000
# (scopesync) in /opt/scopesync, keeps ./data (file store and clones) in the volume /opt/scopesync/data,
# and its entrypoint is the JVM with scripts/run.sh's flags. Extra JVM options: JDK_JAVA_OPTIONS
# (read by the java launcher itself; the exec-form entrypoint has no shell to expand JAVA_OPTS).
# Arguments after the image name go to the server (e.g. --conf /path/config.json).
#
# Tool chain, all Debian packages (installed with apt-get when missing, as root): mmdebstrap makes
# the root file system (Debian bookworm, openjdk-17-jre-headless, ca-certificates; no registry is
# needed, only Debian's mirrors); umoci turns it into an OCI image layout, with the server in a
# second layer; runc (or crun) runs the image for --check. Neither a container engine (no Docker
# daemon, no podman storage) nor a registry is needed.
#
# Layers: 1) the Debian base with the JRE and the scopesync user, cached in target/image/cache/ keyed
# by everything that goes into it (suite, mirrors, packages, options, user), so a re-run only rebuilds
# layer 2) /opt/scopesync: the jar, conf/logback.xml, conf/cluster.xml, an empty data/ owned by the
# user, and a class-data archive made at build time by a training start of the server with the
# image's own JVM (as scripts/run.sh does; without it the server starts all the same).
#
# The check: the image's config (entrypoint, a user that is not root, 7002/tcp exposed, the OPAL
# host/port in Env); then it starts the image and reads GET /healthcheck. Nothing on this machine may
# bind all interfaces, so the check sets SCOPESYNC_HTTP_HOST=127.0.0.1 and a free port (the
# SCOPESYNC_* variables beat the image's OPAL_* ones) and shares the host's network. It runs the
# image with runc (else crun) on a bundle unpacked by umoci; when no container can start here, it says what
# stopped it and runs the unpacked root file system with unshare+chroot instead, as the image's
# user, with the image's entrypoint, environment and working directory.
#
# Environment: SCOPESYNC_NO_BUILD=1 uses target/scopesync.jar as it is (no Maven);
# SCOPESYNC_IMAGE_RUNTIMES: the runtimes the check tries, in order (default "runc crun"; empty: the
# chroot at once);
# SCOPESYNC_IMAGE_MIRROR (default http://deb.debian.org/debian) and SCOPESYNC_IMAGE_SECURITY_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD

# ---------------------------------------------------------------------------------------------------
# What goes into the image. Everything in the base layer is part of the cache key below.
suite=bookworm
mirror=${SCOPESYNC_IMAGE_MIRROR:-http://deb.debian.org/debian}
security_mirror=${SCOPESYNC_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
sources=("deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security_mirror $suite-security main")
# The "apt" variant: Debian's Essential packages plus apt, so an image FROM this one can still
# apt-get install (a few MB); the JRE brings its own dependencies.
variant=apt
packages=(openjdk-17-jre-headless ca-certificates)
user=scopesync uid=1000 gid=1000 home=/home/scopesync
app=/opt/scopesync
# Smaller base: no man pages, docs (except the copyright files), translations or info pages.
dpkg_opts=('path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright' 'path-exclude=/usr/share/locale/*'
  'path-exclude=/usr/share/info/*' 'path-exclude=/usr/share/lintian/*')
hooks=(
  # Merged /usr set up by mmdebstrap itself: otherwise apt picks the usrmerge package, which
  # brings perl (~45 MB) into the image.
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  # The JRE's postinst registers its man page with update-alternatives, which fails when the
  # directory is missing (it is excluded above).
  --essential-hook='mkdir -p "$1/usr/share/man/man1"'
  --customize-hook="chroot \"\$1\" groupadd --gid $gid $user"
  --customize-hook="chroot \"\$1\" useradd --uid $uid --gid $gid --home-dir $home --no-create-home --shell /usr/sbin/nologin $user"
  # A writable home: user.home for the JVM, ~/.ssh for JGit (git.sshDirectory unset), JGit's ~/.config.
  --customize-hook="install -d -o $uid -g $gid -m 0750 \"\$1$home\""
)

# The JVM flags of scripts/run.sh (keep them the same; the build warns when run.sh no longer has one).
jvm=(-XX:+UseSerialGC -Xms16m -XX:ReservedCodeCacheSize=64m -Xshare:auto
  -XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=2000 -XX:Tier4CompileThreshold=45000
  -XX:Tier4BackEdgeThreshold=120000)
# Hazelcast (clustered mode) wants these on Java 17; harmless otherwise.
opens=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
# run.sh passes conf/logback.xml when it exists; here by absolute path, so it holds whatever the
# working directory (mount your own file over it to change the logging).
logback=(-Dlogback.configurationFile=$app/conf/logback.xml)
archive=$app/scopesync.jsa
env=(
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  HOME=$home
  # The JVM takes file-name and default encodings from the locale: UTF-8 (built into glibc), not ASCII.
  LANG=C.UTF-8
  # As scripts/run.sh: glibc's per-thread malloc arenas, two are plenty.
  MALLOC_ARENA_MAX=2
  # Like OPAL's image: all interfaces, port 7002. OPAL_* has the lowest precedence (DESIGN §17), so
  # a user's own OPAL_* or SCOPESYNC_* variables win.
  OPAL_SERVER_HOST=0.0.0.0
  OPAL_SERVER_BIND_PORT=7002
)

out=target/image
cache_root=$out/cache
layout=$out/oci
jar=target/scopesync.jar

log() { printf 'scopesync image: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------------
# Arguments.
do_build=1 do_check= docker_archive= refresh=
for arg in "$@"; do
  case $arg in
    --check) do_check=1 ;;
    check) do_build= do_check=1 ;;
    build) ;;
    --docker-archive) docker_archive=1 ;;
    --refresh) refresh=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

# Missing tools are installed as scripts/test.sh does: only when missing, as root, noninteractive.
need() { # need COMMAND PACKAGE...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $*"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "${apt_updated:-}" ]; then apt-get update -qq; apt_updated=1; fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    die "needs $cmd (Debian package $*): install it, or run this script as root to have apt-get do it"
  fi
}
[ "$(id -u)" -eq 0 ] || die "run as root: mmdebstrap (root mode), the image's file ownership and the check's chroot need it"
need jq jq
mkdir -p "$out"
# One run at a time: two would share the cache and the layout.
exec 8>"$out/.lock"
flock -n 8 || { log "another scripts/image.sh runs; waiting for it"; flock 8; }

work=$out/work
cleanup_paths=()
ctr_rt= ctr_id= chroot_pid=
cleanup() { # on any exit: a container or chroot of the check still running, then scratch files
  if [ -n "$ctr_rt" ]; then "$ctr_rt" kill "$ctr_id" KILL >/dev/null 2>&1 || true; sleep 0.5; "$ctr_rt" delete -f "$ctr_id" >/dev/null 2>&1 || true; fi
  if [ -n "$chroot_pid" ]; then kill_child_of "$chroot_pid"; fi
  local p; for p in "${cleanup_paths[@]}"; do rm -rf "$p"; done
}
trap cleanup EXIT

# OCI layout helpers: the manifest and config of a tag, read straight from the blobs.
blob() { printf '%s/blobs/%s\n' "$1" "${2/://}"; }
manifest_of() { # LAYOUT TAG
  local digest
  digest=$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json" | head -n 1)
  [ -n "$digest" ] || return 1
  blob "$1" "$digest"
}
config_of() { blob "$1" "$(jq -r .config.digest "$(manifest_of "$1" "$2")")"; }
human() { numfmt --to=iec --suffix=B --format='%.1f' "$1"; }

# ---------------------------------------------------------------------------------------------------
build_base() { # → $base: a cached OCI layout whose tag "base" is the Debian layer alone
  need mmdebstrap mmdebstrap
  need umoci umoci
  local arch spec key
  arch=$(dpkg --print-architecture)
  # The cache key: every input of the base layer (and the tool that makes it).
  spec=$(printf '%s\n' "suite=$suite" "arch=$arch" "variant=$variant" "${sources[@]}" "${packages[@]}" \
      "${dpkg_opts[@]}" "${hooks[@]}" "$(mmdebstrap --version)")
  key=$(printf '%s' "$spec" | sha256sum | cut -c1-16)
  base=$cache_root/base-$key
  if [ -n "$refresh" ]; then rm -rf "$base"; fi
  if [ -f "$base/.complete" ]; then
    log "Debian base: cached ($base; --refresh makes it anew)"
    return
  fi
  # Other keys' bases are of no further use (the inputs changed): free their space.
  rm -rf "$cache_root"
  mkdir -p "$cache_root"
  local tmp=$cache_root/.making-$key
  rm -rf "$tmp"; mkdir -p "$tmp"
  cleanup_paths+=("$tmp")
  printf '%s\n' "$spec" > "$tmp/spec.txt"
  log "Debian base: mmdebstrap $suite ${packages[*]} (log: $out/mmdebstrap.log)"
  local dpkg_args=() o
  for o in "${dpkg_opts[@]}"; do dpkg_args+=("--dpkgopt=$o"); done
  local include
  include=$(IFS=,; echo "${packages[*]}")
  # Root mode: the tarball holds real owners and device nodes, as a base image's layer does.
  if ! mmdebstrap --mode=root --variant="$variant" --architectures="$arch" --include="$include" \
        "${dpkg_args[@]}" "${hooks[@]}" "$suite" "$tmp/rootfs.tar" "${sources[@]}" > "$out/mmdebstrap.log" 2>&1; then
    tail -n 30 "$out/mmdebstrap.log" >&2
    die "mmdebstrap failed (the whole log: $out/mmdebstrap.log)"
  fi
  umoci init --layout "$tmp/oci"
  umoci new --image "$tmp/oci:base"
  local created
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  umoci raw add-layer --image "$tmp/oci:base" --history.created "$created" \
      --history.created_by "mmdebstrap --variant=$variant --include=$include $suite" "$tmp/rootfs.tar"
  rm -f "$tmp/rootfs.tar"  # the layer blob holds it (gzip): the cache keeps only that
  : > "$tmp/.complete"
  mv "$tmp" "$base"
}

build_jar() {
  if [ -n "${SCOPESYNC_NO_BUILD:-}" ]; then
    [ -f "$jar" ] || die "SCOPESYNC_NO_BUILD is set but $jar does not exist"
    return
  fi
  # As scripts/run.sh: build when the jar is missing or older than the sources.
  if [ ! -f "$jar" ] || [ -n "$(find pom.xml src conf -newer "$jar" -type f 2>/dev/null | head -n 1)" ]; then
    need mvn maven
    log "building $jar"
    mvn -B -ntp -q -DskipTests package 8>&-
  fi
}

# The server's own files, staged with the owners and modes the layer gets.
stage_app() { # STAGE_DIR
  local s=$1 d=$1$app
  install -d -o 0 -g 0 -m 0755 "$s/opt" "$d" "$d/conf"
  install -o 0 -g 0 -m 0644 "$jar" "$d/scopesync.jar"
  # The JVM checks a class-data archive against the jar's size and modification time, in whole
  # seconds: the layer's tar headers carry whole seconds too.
  touch -d "@$(stat -c %Y "$jar")" "$d/scopesync.jar"
  # The server reads conf/cluster.xml from its working directory when clustering is on (the jar's
  # loopback one otherwise); logback.xml is passed by path. Both are there to be mounted over.
  local f
  for f in logback.xml cluster.xml; do
    [ -f "conf/$f" ] && install -o 0 -g 0 -m 0644 "conf/$f" "$d/conf/$f"
  done
  # ./data: the file store (data/scopes) and the clones (data/git_sources), the image's volume.
  install -d -o "$uid" -g "$gid" -m 0750 "$d/data"
}

# Runs COMMAND... in ROOTFS as the image's user, in private mount and pid namespaces: /proc (the JVM
# finds its libraries through /proc/self/exe) and /dev mounted for it and gone when it ends. The
# process is pid 1 of its namespace, so when it ends, anything it left is killed.
# With ROOTFS_TIMEOUT set (e.g. 180s), timeout(1) is pid 1 instead and ends it after that long.
in_rootfs() { # ROOTFS WORKDIR ENV=VALUE... COMMAND...
  local r=$1 wd=$2; shift 2
  unshare --mount --pid --fork --propagation private /bin/sh -ec '
    r=$1 wd=$2 uid=$3 gid=$4 limit=$5; shift 5
    mount -t proc proc "$r/proc"
    mount --rbind /dev "$r/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
    exec ${limit:+timeout "$limit"} chroot --userspec="$uid:$gid" --groups="$gid" "$r" /usr/bin/env -i -C "$wd" "$@"
  ' sh "$r" "$wd" "$uid" "$gid" "${ROOTFS_TIMEOUT:-}" "$@" 8>&-  # (fd 8: the run lock, not theirs to hold)
}

# The class-data archive, made by the image's JVM on the image's files (a training start of the
# server on throwaway data, loopback only, none of the image's OPAL_* environment). Prints the
# archive's path in the stage, or nothing when the training failed.
train_archive() { # STAGE_DIR
  local s=$1 r=$work/train-root base_layer
  rm -rf "$r"; mkdir -p "$r"
  base_layer=$(blob "$base/oci" "$(jq -r '.layers[0].digest' "$(manifest_of "$base/oci" base)")")
  tar -xzpf "$base_layer" --numeric-owner -C "$r"
  cp -a "$s$app" "$r$app"
  log "class-data archive: a training start of the server with the image's JVM (log: $out/training.log)"
  # Written to a directory of this throwaway copy that the user may write (/tmp is a tmpfs there).
  install -d -o "$uid" -g "$gid" "$r$app/.cds"
  if ROOTFS_TIMEOUT=180s in_rootfs "$r" "$app" PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 MALLOC_ARENA_MAX=2 \
        /usr/bin/java "${jvm[@]}" "${opens[@]}" "${logback[@]}" -XX:ArchiveClassesAtExit="$app/.cds/scopesync.jsa" \
        -Dscopesync.archiveTraining=true -jar "$app/scopesync.jar" > "$out/training.log" 2>&1 \
      && [ -s "$r$app/.cds/scopesync.jsa" ]; then
    install -o 0 -g 0 -m 0644 "$r$app/.cds/scopesync.jsa" "$s$archive"
    echo "$s$archive"
  else
    tail -n 20 "$out/training.log" >&2
    log "class-data archive: the training start failed (above); the image starts without one"
  fi
  rm -rf "$r"
}

summary() { # LAYOUT TAG
  local l=$1 t=$2 m c
  m=$(manifest_of "$l" "$t") || die "no tag $t in $l"
  c=$(config_of "$l" "$t")
  echo "image: $l:$t (also $(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(", ")' "$l/index.json"))"
  echo "manifest: $(basename "$m")  config: $(jq -r .config.digest "$m")"
  jq -r '"architecture: \(.architecture)  os: \(.os)  created: \(.created)",
    "Entrypoint: \(.config.Entrypoint | tojson)",
    "Cmd: \(.config.Cmd // [] | tojson)",
    "User: \(.config.User)",
    "WorkingDir: \(.config.WorkingDir)",
    "ExposedPorts: \(.config.ExposedPorts // {} | keys | join(", "))",
    "Volumes: \(.config.Volumes // {} | keys | join(", "))",
    "Env:", (.config.Env[] | "  " + .),
    "Labels:", (.config.Labels // {} | to_entries[] | "  \(.key)=\(.value)")' "$c"
  local n=0 total=0 utotal=0 size digest usize created_by
  echo "layers: $(jq '.layers | length' "$m")"
  while read -r size digest; do
    n=$((n + 1))
    usize=$(gzip -cd < "$(blob "$l" "$digest")" | wc -c)
    total=$((total + size)); utotal=$((utotal + usize))
    created_by=$(jq -r --argjson i "$((n - 1))" '[.history[] | select(.empty_layer != true)][$i].created_by // ""' "$c")
    printf '  %d. %s  %s compressed, %s unpacked  (%s)\n' "$n" "${digest:7:12}" "$(human "$size")" "$(human "$usize")" "$created_by"
  done < <(jq -r '.layers[] | "\(.size) \(.digest)"' "$m")
  printf 'total: %s compressed, %s unpacked\n' "$(human "$total")" "$(human "$utotal")"
}

build() {
  local t0=$SECONDS
  build_jar
  build_base
  [ -f "$jar" ] || die "no $jar"
  local version
  version=$(unzip -p "$jar" META-INF/maven/dev.scopesync/scopesync/pom.properties 2>/dev/null \
      | sed -n 's/^version=//p' || true)
  [ -n "$version" ] || version=$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' pom.xml | head -n 1)
  [ -n "$version" ] || version=dev

  # Drift between this script's JVM flags and scripts/run.sh's: a warning, not a failure.
  local f
  for f in "${jvm[@]}" "${opens[@]}"; do
    grep -qF -- "$f" scripts/run.sh || log "warning: JVM flag $f is no longer in scripts/run.sh"
  done

  rm -rf "$work"; mkdir -p "$work"
  cleanup_paths+=("$work")
  local stage=$work/app
  stage_app "$stage"
  local archive_flags=()
  if [ -n "$(train_archive "$stage")" ]; then
    archive_flags=(-XX:SharedArchiveFile="$archive")
  fi

  # The layer: sorted, numeric owners as staged, no access/change times; so the same inputs make the
  # same layer (whose digest then says "unchanged").
  tar --create --file "$work/app.tar" --sort=name --numeric-owner --format=posix \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$stage" opt

  # The new layout: a copy of the cached base (blobs are small files to copy: ~120 MB), plus layer 2.
  log "OCI layout: $layout"
  rm -rf "$layout" "$out/scopesync-oci.tar" "$out/scopesync-docker.tar"
  cp -a "$base/oci" "$layout"
  local created
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  umoci raw add-layer --image "$layout:base" --tag build --history.created "$created" \
      --history.created_by "scopesync $version: $app (scopesync.jar, conf/, data/${archive_flags:+, scopesync.jsa})" "$work/app.tar"
  local entrypoint=(/usr/bin/java "${jvm[@]}" "${opens[@]}" "${logback[@]}" "${archive_flags[@]}" -jar "$app/scopesync.jar")
  local cfg=(--image "$layout:build" --tag latest --created "$created" --author scopesync
    --config.user "$uid:$gid" --config.workingdir "$app" --config.exposedports 7002/tcp
    --config.volume "$app/data" --config.stopsignal SIGTERM
    --config.label org.opencontainers.image.title=scopesync
    --config.label org.opencontainers.image.version="$version"
    --config.label "org.opencontainers.image.description=scopesync: a drop-in replacement for OPAL server"
    --config.label org.opencontainers.image.base.name="debian:$suite (mmdebstrap: ${packages[*]})"
    --history.created "$created" --history.created_by "config: entrypoint, env, user $uid:$gid, port 7002")
  local e
  for e in "${entrypoint[@]}"; do cfg+=(--config.entrypoint "$e"); done
  for e in "${env[@]}"; do cfg+=(--config.env "$e"); done
  umoci config "${cfg[@]}"
  [ "$version" = latest ] || umoci tag --image "$layout:latest" "$version"
  umoci rm --image "$layout:build"
  umoci rm --image "$layout:base"
  umoci gc --layout "$layout"
  # Names for `docker load` (Docker reads io.containerd.image.name from an OCI archive's index) and
  # podman; the OCI ref.name stays the bare tag that umoci and skopeo use.
  jq '.manifests |= map(.annotations["io.containerd.image.name"] = "docker.io/library/scopesync:" + .annotations["org.opencontainers.image.ref.name"])' \
      "$layout/index.json" > "$work/index.json"
  mv "$work/index.json" "$layout/index.json"

  # An OCI archive is the layout in a tar (podman load, docker load 25+, skopeo oci-archive:).
  tar --create --file "$out/scopesync-oci.tar" --sort=name --numeric-owner --owner=0 --group=0 \
      -C "$layout" oci-layout index.json blobs
  if [ -n "$docker_archive" ]; then
    need skopeo skopeo
    skopeo copy -q "oci:$layout:latest" "docker-archive:$out/scopesync-docker.tar:scopesync:$version"
  fi
  echo
  summary "$layout" latest
  echo "files: $layout/ (OCI layout), $out/scopesync-oci.tar ($(human "$(stat -c %s "$out/scopesync-oci.tar")"))${docker_archive:+, $out/scopesync-docker.tar}"
  echo "built in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------------------------------
check() {
  [ -f "$layout/index.json" ] || die "no image at $layout: run scripts/image.sh first"
  need umoci umoci
  need curl curl
  local t0=$SECONDS c failed=0
  c=$(config_of "$layout" latest)
  echo
  echo "== check: the image's config"
  ok() { printf '  ok    %s\n' "$1"; }
  bad() { printf '  FAIL  %s\n' "$1"; failed=1; }
  local entry user
  entry=$(jq -r '.config.Entrypoint | join(" ")' "$c")
  user=$(jq -r '.config.User // ""' "$c")
  if jq -e '.config.Entrypoint | (.[0] | test("(^|/)java$")) and (.[-2:] == ["-jar", "/opt/scopesync/scopesync.jar"])' "$c" >/dev/null; then
    ok "entrypoint (exec form): $entry"
  else bad "entrypoint is not java … -jar $app/scopesync.jar: $entry"; fi
  case ${user%%:*} in
    ''|0|root) bad "user is root: '$user'" ;;
    *) ok "user $user (not root)" ;;
  esac
  if jq -e '.config.ExposedPorts | has("7002/tcp")' "$c" >/dev/null; then ok "7002/tcp exposed"; else bad "7002/tcp not exposed"; fi
  local v
  for v in OPAL_SERVER_HOST=0.0.0.0 OPAL_SERVER_BIND_PORT=7002; do
    if jq -e --arg v "$v" '.config.Env | index($v)' "$c" >/dev/null; then ok "Env has $v"; else bad "Env lacks $v"; fi
  done

  # The bundle: the image unpacked (both layers) with the runtime config umoci derives from the
  # image's config (entrypoint, env, user, working directory).
  local bundle=$out/check id="scopesync-check-$$"
  rm -rf "$bundle"
  cleanup_paths+=("$bundle")
  umoci unpack --image "$layout:latest" "$bundle" >/dev/null
  local rootfs=$bundle/rootfs
  [ -x "$rootfs/usr/bin/java" ] && ok "the image has /usr/bin/java ($(readlink -f "$rootfs/usr/bin/java" | sed "s|^$rootfs||"))" || bad "no /usr/bin/java in the image"
  [ -f "$rootfs$app/scopesync.jar" ] && ok "the image has $app/scopesync.jar" || bad "no $app/scopesync.jar"
  [ "$(stat -c %u "$rootfs$app/data")" = "$uid" ] && ok "$app/data belongs to uid $uid" || bad "$app/data does not belong to uid $uid"

  # A free loopback port (the kernel's pick, released at once), and the overrides that keep the
  # server off all interfaces here: SCOPESYNC_* beats the image's OPAL_SERVER_HOST/BIND_PORT.
  local port
  port=$(free_port)
  local overrides=(SCOPESYNC_HTTP_HOST=127.0.0.1 SCOPESYNC_HTTP_PORT="$port")
  echo
  echo "== check: start the image (${overrides[*]})"
  local srvlog=$bundle/server.log mode= pid= jpid= health= rt why=()
  # The runtime config as the runtime gets it: the host's network (no network namespace: the
  # server's 127.0.0.1 is this machine's), no terminal, the overrides appended to the image's env.
  # sysfs cannot be mounted anew without a network namespace of its own: the host's, read-only.
  # umoci makes the VOLUME an empty tmpfs owned by root; Docker and podman instead fill a new volume
  # with the image's directory (owner included), which is what the unpacked directory already is.
  jq --arg o "$(printf '%s\n' "${overrides[@]}")" --arg vol "$app/data" '
      .process.terminal = false
      | .process.env += ($o | split("\n") | map(select(. != "")))
      | .linux.namespaces |= map(select(.type != "network"))
      | .mounts |= map(select(.destination != $vol)
          | if .type == "sysfs" then {destination, type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)' \
      "$bundle/config.json" > "$bundle/config.check.json"
  mv "$bundle/config.check.json" "$bundle/config.json"
  # runc first: crun (1.8, bookworm) refuses a host whose cgroups are in hybrid mode, as here.
  if [ -n "${SCOPESYNC_IMAGE_RUNTIMES-runc}" ]; then
    command -v runc >/dev/null 2>&1 || command -v crun >/dev/null 2>&1 || need runc runc
  else
    why+=("SCOPESYNC_IMAGE_RUNTIMES is empty: no container runtime tried")
  fi
  for rt in ${SCOPESYNC_IMAGE_RUNTIMES-runc crun}; do
    command -v "$rt" >/dev/null 2>&1 || continue
    "$rt" delete -f "$id" >/dev/null 2>&1 || true
    "$rt" run --bundle "$bundle" "$id" > "$srvlog" 2>&1 8>&- &
    pid=$! ctr_rt=$rt ctr_id=$id
    if health=$(wait_healthy "$pid" "$port" "$srvlog"); then
      mode=$rt
      jpid=$("$rt" state "$id" 2>/dev/null | jq -r '.pid // empty')
      break
    fi
    why+=("$rt: $(grep -m 3 -i 'error' "$srvlog" || tail -n 3 "$srvlog")")
    "$rt" kill "$id" KILL >/dev/null 2>&1 || true
    wait "$pid" 2>/dev/null || true
    "$rt" delete -f "$id" >/dev/null 2>&1 || true
    ctr_rt= pid=
  done
  if [ ${#why[@]} -gt 0 ]; then
    echo "  what stopped a container run:"
    printf '    %s\n' "${why[@]}"
  fi
  if [ -z "$mode" ]; then
    echo "  no container runtime could run the image here; falling back to its unpacked rootfs under"
    echo "  unshare (mount and pid namespaces) + chroot, as uid:gid $uid:$gid, with the image's entrypoint, env and working directory"
    local penv pargs cwd
    mapfile -t penv < <(jq -r '.process.env[]' "$bundle/config.json")
    mapfile -t pargs < <(jq -r '.process.args[]' "$bundle/config.json")
    cwd=$(jq -r '.process.cwd' "$bundle/config.json")
    in_rootfs "$rootfs" "$cwd" "${penv[@]}" "${pargs[@]}" > "$srvlog" 2>&1 &
    pid=$! chroot_pid=$!
    if health=$(wait_healthy "$pid" "$port" "$srvlog"); then
      mode=chroot
      jpid=$(java_under "$pid")
    fi
  fi
  if [ -n "$mode" ]; then
    ok "$health"
    [ -n "$jpid" ] || jpid=$(java_under "$pid")
    local puid
    puid=$(awk '/^Uid:/ {print $2}' "/proc/$jpid/status")
    [ "$puid" = "$uid" ] && ok "the server process runs as uid $puid (host pid $jpid, under $mode)" || bad "the server runs as uid $puid"
    if grep -q "$archive" "/proc/$jpid/maps" 2>/dev/null; then ok "the class-data archive $archive is mapped"
    else echo "  note  no class-data archive mapped (the server starts without, only slower)"; fi
    # Stop it as a runtime does: SIGTERM, and the server's shutdown hook runs; KILL after 30 s.
    kill -TERM "$jpid"
    local i rc=0
    for i in $(seq 1 300); do kill -0 "$jpid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$jpid" 2>/dev/null; then
      bad "still running 30 s after SIGTERM"
      kill -KILL "$jpid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || rc=$?
    kill -0 "$jpid" 2>/dev/null || ok "stopped on SIGTERM in $(awk "BEGIN {print $i / 10}") s (exit status $rc)"
  else
    bad "the server did not answer on 127.0.0.1:$port"
    [ -n "$pid" ] && { kill_child_of "$pid"; wait "$pid" 2>/dev/null || true; }
  fi
  echo "  server log ($mode):"
  sed 's/^/    | /' "$srvlog" | head -n 30
  if [ -n "$ctr_rt" ]; then "$ctr_rt" delete -f "$id" >/dev/null 2>&1 || true; ctr_rt=; fi
  chroot_pid=
  echo
  if [ "$failed" = 0 ]; then echo "check passed (under $mode, $((SECONDS - t0)) s)"; else echo "check FAILED"; return 1; fi
}

free_port() {
  # A random port nothing on 127.0.0.1 answers on (connecting is refused).
  local p
  p=$(shuf -i 20000-60000 -n 1)
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$(shuf -i 20000-60000 -n 1); done
  echo "$p"
}

# Polls the server until /healthcheck answers (or its process ends, or 90 s pass). Prints what answered.
wait_healthy() { # PID PORT LOG
  local pid=$1 port=$2 i code body
  for i in $(seq 1 900); do
    kill -0 "$pid" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/healthcheck" || true)
    if [ "$code" = 200 ]; then
      body=$(curl -s --max-time 2 "http://127.0.0.1:$port/healthcheck")
      echo "GET /healthcheck: 200 $body (after $(awk "BEGIN {print $i / 10}") s)"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# The JVM under a background job of this script: job (bash) → unshare → java (pid 1 of its namespace).
java_under() { # PID
  local p=$1 c i
  for i in 1 2 3 4; do
    c=$(pgrep -P "$p" | head -n 1) || return 0
    p=$c
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = java ] && { echo "$p"; return 0; }
  done
}

kill_child_of() { # PID: the process under the job (a JVM that never answered)
  local j
  j=$(java_under "$1")
  [ -n "$j" ] && kill -KILL "$j" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------------
if [ -n "$do_build" ]; then build; fi
if [ -n "$do_check" ]; then check; fi
