#!/usr/bin/env bash
# Restart ready time against cold start of the sample application, with and without the start-up
# cache, on each JDK given (default: the two under /usr/lib/jvm). Ready = HTTP 200 on
# /actuator/health. Prints one line per pair and a median summary per configuration.
#
#   mvn -B -q install -DskipTests
#   bash benchmarks/startup-cache.sh [pairs] [java ...]
set -euo pipefail

PAIRS=${1:-5}
shift || true
JAVAS=("$@")
if [ ${#JAVAS[@]} -eq 0 ]; then
	JAVAS=(/usr/lib/jvm/java-17-openjdk-amd64/bin/java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/sample-app/target/sample-app-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d /tmp/samboot-startup-cache-bench.XXXXXX)
PORT=${PORT:-18431}
COLD_PORT=${COLD_PORT:-18432}
STARTED=()

cleanup() {
	for pid in "${STARTED[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [ -f "$WORK/cold.pid" ]; then
		kill -KILL "$(cat "$WORK/cold.pid")" 2>/dev/null || true
	fi
	for pid in "${STARTED[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

await_ready() { # port, deadline seconds
	local deadline=$(( $(date +%s) + $2 ))
	until curl -s -o /dev/null -m 1 -w '%{http_code}' "http://localhost:$1/actuator/health" | grep -q 200; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "not ready on port $1 within $2 s" >&2
			tail -n 40 "$WORK"/*.log >&2
			return 1
		fi
		sleep 0.02
	done
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

cold_start() { # java
	local start pid
	start=$(now_ms)
	"$1" -jar "$JAR" --sam.enabled=false --server.port=$COLD_PORT >"$WORK/cold.log" 2>&1 &
	pid=$!
	# this runs in a subshell: the pid file lets the cleanup find the JVM if it is not ready in time
	echo "$pid" >"$WORK/cold.pid"
	await_ready $COLD_PORT 120
	echo $(( $(now_ms) - start ))
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	rm -f "$WORK/cold.pid"
}

restart() {
	local start
	start=$(now_ms)
	curl -s -o /dev/null -m 2 -X POST "http://localhost:$PORT/demo/crash?status=3" || true
	# the instance halts 100 ms after it answers: wait for it to be gone, then for the next one
	while curl -s -o /dev/null -m 1 "http://localhost:$PORT/actuator/health"; do
		sleep 0.01
	done
	await_ready $PORT 120
	echo $(( $(now_ms) - start ))
}

for java in "${JAVAS[@]}"; do
	feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(dirname "$(readlink -f "$java")")")/release")
	for cache in false true; do
		directory=$WORK/cache-$feature
		rm -rf "$directory"
		# a long interval: on a loaded machine a slow health check must not turn a start into a kill
		"$java" -jar "$JAR" --server.port=$PORT --sam.interval=20s --sam.health.timeout=10s \
			--sam.restart.startup-cache.enabled=$cache \
			--sam.restart.startup-cache.directory="$directory" >"$WORK/supervised-$feature-$cache.log" 2>&1 &
		supervisor=$!
		STARTED+=("$supervisor")
		await_ready $PORT 120
		if [ "$cache" = true ]; then
			deadline=$(( $(date +%s) + 300 ))
			until [ -f "$directory/key" ]; do
				[ "$(date +%s)" -lt "$deadline" ] || { echo "no cache trained" >&2; exit 1; }
				sleep 0.5
			done
			echo "JDK $feature: cache trained: $(ls "$directory" | tr '\n' ' ')($(du -sh "$directory" | cut -f1))"
		fi
		restarts=()
		colds=()
		for pair in $(seq 1 "$PAIRS"); do
			r=$(restart)
			c=$(cold_start "$java")
			restarts+=("$r")
			colds+=("$c")
			used=$(pgrep -f -- "-XX:(SharedArchiveFile|AOTCache)=$directory" >/dev/null && echo yes || echo no)
			echo "JDK $feature cache=$cache pair $pair: restart ${r} ms, cold ${c} ms, instance uses the cache: $used"
		done
		mr=$(printf '%s\n' "${restarts[@]}" | median)
		mc=$(printf '%s\n' "${colds[@]}" | median)
		echo "SUMMARY JDK $feature cache=$cache restart_median_ms $mr cold_median_ms $mc ratio $(awk "BEGIN {printf \"%.2f\", $mr/$mc}")"
		kill -TERM "$supervisor"
		wait "$supervisor" 2>/dev/null || true
	done
done
