#!/usr/bin/env bash
# samboot's benchmark suite: builds the project and this module, measures, and prints last one
# line per figure as "NAME VALUE UNIT". See docs/benchmarks.md.
#
#   bash benchmarks/run.sh            full run (35-45 minutes on 2 cores; JDK 17 and 25)
#   bash benchmarks/run.sh --quick    short run (under 5 minutes; the primary JDK only)
#
# Options:
#   --jdk PATH         JDK to measure every figure on (default: $JAVA_HOME, else
#                      /usr/lib/jvm/java-17-openjdk-amd64, else the java on PATH)
#   --extra-jdk PATH   also measure start-up, restart and memory on this JDK (repeatable; the full
#                      run adds every other JDK 17 or 25 under /usr/lib/jvm unless --no-extra-jdk)
#   --no-extra-jdk     measure on the primary JDK only
#   --out DIR          results directory (default: benchmarks/target/results/quick or full)
#   --only LIST        only these stages: jmh,timing,churn,startup,phases,cpu,cpg,peers (cpg: CPG
#                      messaging on the running corosync, the Java binding beside a C client built here
#                      with gcc against libcpg; libcpg-dev is installed with apt-get when its header is
#                      missing; peers: start-up and restart beside the Java Service Wrapper and
#                      supervisord, whose Debian packages service-wrapper and supervisor are installed
#                      the same way)
#   --peers-trials N   trials per system of the peers stage (default 6, quick 3)
#   --phases-trials N  trials of each start in the phases stage (default 6, quick 2)
#   --no-build         use what the last build left in target/
#   --publish          copy the results into docs/benchmarks/ (results-full.md or results-quick.md;
#                      the full run also its plots and samples)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=full
jdk=""
extra=()
no_extra=false
out=""
only=""
peers_trials=""
phases_trials=""
build=true
publish=false
args=("$@")

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --jdk) jdk=${2:?--jdk needs a path}; shift ;;
    --jdk=*) jdk=${1#--jdk=} ;;
    --extra-jdk) extra+=("${2:?--extra-jdk needs a path}"); shift ;;
    --extra-jdk=*) extra+=("${1#--extra-jdk=}") ;;
    --no-extra-jdk) no_extra=true ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --out=*) out=${1#--out=} ;;
    --only) only=${2:?--only needs a list}; shift ;;
    --only=*) only=${1#--only=} ;;
    --peers-trials) peers_trials=${2:?--peers-trials needs a number}; shift ;;
    --peers-trials=*) peers_trials=${1#--peers-trials=} ;;
    --phases-trials) phases_trials=${2:?--phases-trials needs a number}; shift ;;
    --phases-trials=*) phases_trials=${1#--phases-trials=} ;;
    --no-build) build=false ;;
    --publish) publish=true ;;
    -h|--help) usage; exit 0 ;;
    *) echo "Unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$jdk" ]; then
  if [ -n "${JAVA_HOME:-}" ]; then
    jdk=$JAVA_HOME
  elif [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]; then
    jdk=/usr/lib/jvm/java-17-openjdk-amd64
  else
    jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
fi
if [ ! -x "$jdk/bin/java" ]; then
  echo "No bin/java under $jdk (give --jdk PATH)" >&2
  exit 2
fi
jdk=$(readlink -f "$jdk")

if [ "$mode" = full ] && [ "$no_extra" = false ] && [ ${#extra[@]} -eq 0 ]; then
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -f "$candidate/release" ] || continue
    real=$(readlink -f "$candidate")
    [ "$real" = "$jdk" ] && continue
    feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$real/release")
    case "$feature" in 17|25) ;; *) continue ;; esac
    seen=false
    for e in "${extra[@]+"${extra[@]}"}"; do [ "$e" = "$real" ] && seen=true; done
    [ "$seen" = false ] && extra+=("$real")
  done
fi
if [ "$no_extra" = true ]; then
  extra=()
fi

cd "$root"
if [ "$build" = true ]; then
  echo "== build: mvn -B -q install -DskipTests -Pbenchmarks ($(date -u +%H:%M:%S))" >&2
  started=$(date +%s)
  mvn -B -q install -DskipTests -Pbenchmarks >&2
  echo "   build took $(( $(date +%s) - started )) s" >&2
fi

# The C client of the cpg stage: built with gcc against libcpg, whose header comes with Debian's
# libcpg-dev. Sets cpg_c to the program, or cpg_missing to why it cannot be had.
cpg_c=""
cpg_missing=""
cpg_header() { echo '#include <corosync/cpg.h>' | gcc -x c -E - >/dev/null 2>&1; }
build_cpg_client() {
  if ! command -v gcc >/dev/null 2>&1; then
    cpg_missing="gcc is not installed (apt-get install -y gcc)"
    return
  fi
  if ! cpg_header; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "== libcpg-dev: apt-get install -y libcpg-dev (corosync/cpg.h is missing)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -q libcpg-dev >&2 \
        || { apt-get update -q >&2 && apt-get install -y -q libcpg-dev >&2; } || true
    fi
    if ! cpg_header; then
      cpg_missing="corosync/cpg.h is missing and libcpg-dev could not be installed (as root: apt-get install -y libcpg-dev)"
      return
    fi
  fi
  local source=$root/benchmarks/cpg/cpgbench.c
  local program=$root/benchmarks/target/cpg/cpgbench
  mkdir -p "$(dirname "$program")"
  echo "== C client: gcc -O2 -Wall -Wextra -o $program $source -lcpg -lpthread" >&2
  if gcc -O2 -Wall -Wextra -o "$program" "$source" -lcpg -lpthread >&2; then
    cpg_c=$program
  else
    cpg_missing="gcc could not build $source (its errors are above)"
  fi
}
if [ -z "$only" ] || [[ ",$only," == *,cpg,* ]]; then
  build_cpg_client
  [ -n "$cpg_missing" ] && echo "   the cpg stage measures Java only: $cpg_missing" >&2
fi

# The peers of the peers stage: the Java Service Wrapper and supervisord, from Debian. A peer that
# cannot be installed is reported as missing by the stage, which measures the others.
install_peers() {
  local missing=()
  [ -x /usr/sbin/wrapper ] && [ -f /usr/share/java/wrapper.jar ] || missing+=(service-wrapper)
  [ -x /usr/bin/supervisord ] || missing+=(supervisor)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== peers: apt-get install -y ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >&2 \
      || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; } \
      || echo "   could not install ${missing[*]}: the peers stage reports them as missing" >&2
  else
    echo "   ${missing[*]} missing and not root: the peers stage reports them as missing" >&2
  fi
}
if [ -z "$only" ] || [[ ",$only," == *,peers,* ]]; then
  install_peers
fi

out=${out:-$root/benchmarks/target/results/$mode}
rm -rf "$out"
mkdir -p "$out"

suite_args=(--jdk "$jdk" --app "$root/sample-app/target/sample-app-0.1.0-SNAPSHOT.jar" --out "$out"
  --command "bash benchmarks/run.sh${args[*]:+ ${args[*]}}")
[ "$mode" = quick ] && suite_args+=(--quick)
for e in "${extra[@]+"${extra[@]}"}"; do suite_args+=(--extra-jdk "$e"); done
[ -n "$only" ] && suite_args+=(--only "$only")
[ -n "$peers_trials" ] && suite_args+=(--peers-trials "$peers_trials")
[ -n "$phases_trials" ] && suite_args+=(--phases-trials "$phases_trials")
[ -n "$cpg_c" ] && suite_args+=(--cpg-c "$cpg_c")
[ -n "$cpg_missing" ] && suite_args+=(--cpg-c-missing "$cpg_missing")
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || true)
[ -n "$commit" ] && suite_args+=(--commit "$commit")

classes=$root/benchmarks/target/classes
"$jdk/bin/java" -cp "$classes:$root/benchmarks/target/lib/*" dev.samboot.benchmarks.Suite "${suite_args[@]}" &
suite=$!
trap 'kill -TERM "$suite" 2>/dev/null || true; wait "$suite" 2>/dev/null || true; exit 130' INT TERM
status=0
wait "$suite" || status=$?
trap - INT TERM
if [ "$publish" = true ] && [ "$status" -eq 0 ]; then
  mkdir -p "$root/docs/benchmarks"
  cp "$out/results.md" "$root/docs/benchmarks/results-$mode.md"
  if [ "$mode" = full ]; then
    cp "$out"/*.svg "$out"/*.csv "$root/docs/benchmarks/"
  fi
fi
exit "$status"
