#!/usr/bin/env bash
# A corosync cluster of several nodes on one Linux machine, for samboot's cluster tests and for
# trying quorum, cmap and CPG by hand. Each node is a network namespace of its own with one
# corosync daemon (corosync's client libraries reach the daemon of the namespace they run in:
# libqb's IPC sockets are abstract Unix sockets, scoped to the network namespace) and its own /run
# (a tmpfs in a mount namespace of the daemon's, for corosync's pid file). The nodes are linked by a
# bridge in a further namespace, the hub; every address belongs to these namespaces, and no traffic
# leaves the machine. Needs root, iproute2 and corosync.
#
#   cluster.sh up [N]           create N nodes (3 by default), start them, wait until all are members
#                               and the cluster is quorate
#   cluster.sh down             stop every daemon by pid, remove every namespace and file made by up
#   cluster.sh status           each node: daemon running or not, members, quorate
#   cluster.sh partition NODE   cut NODE off the others (its link to the hub goes down)
#   cluster.sh heal NODE        link NODE again
#   cluster.sh stop NODE        stop NODE's daemon (SIGTERM, SIGKILL after 10 s)
#   cluster.sh start NODE       start NODE's daemon again
#   cluster.sh exec NODE CMD... run a command on NODE (in its network namespace)
#   cluster.sh netns NODE       print NODE's network namespace, for `ip netns exec`
#   cluster.sh address NODE     print NODE's address
#   cluster.sh wait-quorate NODE yes|no [SECONDS]
#                               wait until NODE's corosync says it is (not) quorate
#
# NODE is a number from 1 to N. SAMBOOT_CLUSTER_PREFIX (default "samboot-n") names the namespaces
# (PREFIX1 ... PREFIXN, and PREFIX-hub) and SAMBOOT_CLUSTER_DIR (default /tmp/samboot-cluster) holds
# the configuration, state and log of each node (DIR/nodeK/corosync.log), so that tests can run a
# cluster of their own beside one started by hand.
set -euo pipefail

PREFIX="${SAMBOOT_CLUSTER_PREFIX:-samboot-n}"
DIR="${SAMBOOT_CLUSTER_DIR:-/tmp/samboot-cluster}"
HUB="${PREFIX}-hub"
SUBNET="10.213.$(( $(printf '%s' "$PREFIX" | cksum | cut -d' ' -f1) % 200 + 20 ))"
MAX_NODES=16

say() { printf '%s\n' "$*"; }
fail() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }

node_ns() { printf '%s%s' "$PREFIX" "$1"; }
node_dir() { printf '%s/node%s' "$DIR" "$1"; }
node_address() { printf '%s.%s' "$SUBNET" "$1"; }
node_count() { cat "$DIR/nodes" 2>/dev/null || echo 0; }

require_tools() {
  [ "$(id -u)" -eq 0 ] || fail "needs root (network namespaces and a daemon per node)"
  command -v ip >/dev/null 2>&1 || fail "needs ip (apt-get install iproute2)"
  command -v unshare >/dev/null 2>&1 || fail "needs unshare (util-linux)"
  command -v corosync >/dev/null 2>&1 || fail "needs corosync (apt-get install corosync)"
  command -v corosync-quorumtool >/dev/null 2>&1 || fail "needs corosync-quorumtool (package corosync)"
}

require_up() {
  [ -f "$DIR/nodes" ] || fail "no cluster is up in $DIR (cluster.sh up [N])"
}

require_node() {
  local node="${1:-}" count
  count="$(node_count)"
  [[ "$node" =~ ^[0-9]+$ ]] && [ "$node" -ge 1 ] && [ "$node" -le "$count" ] \
    || fail "no node '$node': the cluster has nodes 1 to $count"
}

namespace_exists() { ip netns list | awk '{print $1}' | grep -qxF -- "$1"; }

write_config() {
  local node="$1" count="$2" dir
  dir="$(node_dir "$node")"
  mkdir -p "$dir/state"
  {
    cat <<EOF
# node $node of $count, written by cluster.sh
totem {
	version: 2
	cluster_name: samboot-test
	transport: knet
	crypto_cipher: none
	crypto_hash: none
	# short timeouts: a membership change takes about a second
	token: 1000
}

nodelist {
EOF
    local i
    for i in $(seq 1 "$count"); do
      cat <<EOF
	node {
		ring0_addr: $(node_address "$i")
		name: node$i
		nodeid: $i
	}
EOF
    done
    cat <<EOF
}

quorum {
	provider: corosync_votequorum
}

system {
	state_dir: $dir/state
}

logging {
	to_stderr: no
	to_syslog: no
	to_logfile: yes
	logfile: $dir/corosync.log
	timestamp: on
}
EOF
  } >"$dir/corosync.conf"
}

start_daemon() {
  local node="$1" dir ns pid
  dir="$(node_dir "$node")"
  ns="$(node_ns "$node")"
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    say "node $node: corosync already runs (pid $(cat "$dir/pid"))"
    return 0
  fi
  # ip netns exec and unshare exec what follows, and the shell execs corosync after the mount:
  # the pid of the background job is corosync's
  ip netns exec "$ns" unshare --mount --propagation private \
    sh -c 'mount -t tmpfs -o size=16m tmpfs /run && exec corosync -f -c "$1"' corosync "$dir/corosync.conf" \
    >>"$dir/daemon.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/pid"
  for _ in $(seq 1 50); do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "corosync" ]; then
      say "node $node: corosync started (pid $pid) in namespace $ns, address $(node_address "$node")"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  say "node $node: corosync did not start:"
  tail -n 20 "$dir/daemon.out" "$dir/corosync.log" 2>/dev/null || true
  return 1
}

stop_daemon() {
  local node="$1" dir pid
  dir="$(node_dir "$node")"
  [ -f "$dir/pid" ] || return 0
  pid="$(cat "$dir/pid")"
  if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = "corosync" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "node $node: corosync (pid $pid) still runs 10 s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "node $node: corosync (pid $pid) stopped"
  fi
  rm -f "$dir/pid"
}

# corosync-quorumtool -s: 0 quorate, 2 not quorate, anything else no daemon answering
quorum_of() {
  local status=0
  ip netns exec "$(node_ns "$1")" corosync-quorumtool -s >/dev/null 2>&1 || status=$?
  case "$status" in
    0) echo yes ;;
    2) echo no ;;
    *) echo none ;;
  esac
}

members_of() {
  ip netns exec "$(node_ns "$1")" corosync-quorumtool -s 2>/dev/null | awk '/^Nodes:/ {print $2}' || true
}

wait_quorate() {
  local node="$1" want="$2" seconds="${3:-30}" now deadline
  deadline=$(( $(date +%s) + seconds ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    now="$(quorum_of "$node")"
    [ "$now" = "$want" ] && return 0
    sleep 0.1
  done
  fail "node $node: quorate is '$(quorum_of "$node")' after $seconds s, not '$want'"
}

cmd_up() {
  local count="${1:-3}" i ns
  [[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -ge 1 ] && [ "$count" -le "$MAX_NODES" ] \
    || fail "the number of nodes must be 1 to $MAX_NODES, not '$count'"
  require_tools
  [ ! -e "$DIR/nodes" ] || fail "a cluster is up in $DIR already (cluster.sh down first)"
  for ns in "$HUB" $(for i in $(seq 1 "$count"); do node_ns "$i"; done); do
    namespace_exists "$ns" && fail "network namespace $ns exists already: not made by this cluster.sh, left alone"
  done
  mkdir -p "$DIR"
  echo "$count" >"$DIR/nodes"
  : >"$DIR/namespaces"
  # whatever fails from here on, undo what was made: an EXIT trap, since fail() exits, which
  # an ERR trap does not see
  trap 'status=$?; if [ "$status" -ne 0 ]; then say "cluster.sh: up failed, cleaning up"; cmd_down >/dev/null 2>&1 || true; fi' EXIT
  ip netns add "$HUB"
  echo "$HUB" >>"$DIR/namespaces"
  ip -n "$HUB" link add br0 type bridge
  ip -n "$HUB" link set br0 up
  for i in $(seq 1 "$count"); do
    ns="$(node_ns "$i")"
    ip netns add "$ns"
    echo "$ns" >>"$DIR/namespaces"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add eth0 type veth peer name "hub$i" netns "$HUB"
    ip -n "$ns" addr add "$(node_address "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$HUB" link set "hub$i" master br0
    ip -n "$HUB" link set "hub$i" up
    write_config "$i" "$count"
  done
  for i in $(seq 1 "$count"); do
    start_daemon "$i"
  done
  for i in $(seq 1 "$count"); do
    wait_quorate "$i" yes 60
  done
  local all=no deadline
  deadline=$(( $(date +%s) + 30 ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    all=yes
    for i in $(seq 1 "$count"); do
      [ "$(members_of "$i")" = "$count" ] || all=no
    done
    [ "$all" = yes ] && break
    sleep 0.1
  done
  [ "$all" = yes ] || fail "not every node sees all $count nodes after 30 s"
  trap - EXIT
  cmd_status
}

cmd_down() {
  local count i ns
  [ -d "$DIR" ] || { say "no cluster in $DIR"; return 0; }
  count="$(node_count)"
  # corosync takes about 3 s to exit after SIGTERM: stop every node at once
  for i in $(seq 1 "$count"); do
    stop_daemon "$i" &
  done
  wait
  if [ -f "$DIR/namespaces" ]; then
    while read -r ns; do
      [ -n "$ns" ] || continue
      if namespace_exists "$ns"; then
        ip netns delete "$ns" && say "namespace $ns removed"
      fi
    done <"$DIR/namespaces"
  fi
  rm -rf "$DIR"
}

cmd_status() {
  require_up
  local count i dir state
  count="$(node_count)"
  for i in $(seq 1 "$count"); do
    dir="$(node_dir "$i")"
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      state="running (pid $(cat "$dir/pid"))"
    else
      state="stopped"
    fi
    local link
    link="$(ip -n "$HUB" -o link show "hub$i" 2>/dev/null | grep -q 'state UP\|,UP' && echo linked || echo cut off)"
    local members
    members="$(members_of "$i")"
    say "node $i ($(node_address "$i"), namespace $(node_ns "$i"), $link): corosync $state," \
      "members ${members:--}, quorate $(quorum_of "$i")"
  done
}

cmd_partition() {
  require_up
  require_node "${1:-}"
  ip -n "$HUB" link set "hub$1" down
  say "node $1 cut off"
}

cmd_heal() {
  require_up
  require_node "${1:-}"
  ip -n "$HUB" link set "hub$1" up
  say "node $1 linked again"
}

main() {
  local command="${1:-}"
  [ $# -gt 0 ] && shift
  case "$command" in
    up) cmd_up "$@" ;;
    down)
      # only what removing needs: it must work whatever was uninstalled since
      [ "$(id -u)" -eq 0 ] || fail "needs root"
      command -v ip >/dev/null 2>&1 || fail "needs ip (apt-get install iproute2)"
      cmd_down
      ;;
    status) cmd_status ;;
    partition) cmd_partition "$@" ;;
    heal) cmd_heal "$@" ;;
    stop) require_up; require_node "${1:-}"; stop_daemon "$1" ;;
    start) require_up; require_node "${1:-}"; start_daemon "$1" ;;
    exec)
      require_up
      require_node "${1:-}"
      local node="$1"
      shift
      [ $# -gt 0 ] || fail "exec NODE COMMAND...: no command"
      exec ip netns exec "$(node_ns "$node")" "$@"
      ;;
    netns) require_up; require_node "${1:-}"; node_ns "$1"; echo ;;
    address) require_up; require_node "${1:-}"; node_address "$1"; echo ;;
    wait-quorate)
      require_up
      require_node "${1:-}"
      [[ "${2:-}" =~ ^(yes|no)$ ]] || fail "wait-quorate NODE yes|no [SECONDS]"
      wait_quorate "$1" "$2" "${3:-30}"
      ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      [ -z "$command" ] || [ "$command" = help ] || [ "$command" = -h ] || [ "$command" = --help ] || exit 2
      ;;
  esac
}

main "$@"
