#!/usr/bin/env python3
"""What the starter costs a restarted instance: the same jar started plain (--sam.enabled=false)
and as instance 2 of a supervisor (instance 1 killed with SIGKILL once it serves), alternating,
with any number of variants of the supervised one (other arguments, another build of the jar).

    python3 benchmarks/restart-cost.py [--jar JAR] [--trials N]
                                       [--variant NAME=[@OTHER.jar] ARG...]...

For each system it prints the medians of: the instance's CPU (all its threads) at its first HTTP
200 on /actuator/health, the time Spring Boot gives for SpringApplication.run ("Started ... in A
seconds") and the JVM's uptime then ("process running for B"); the median of each trial's
difference to the plain start of the same trial (steadier than a difference of medians when the
machine's speed drifts during a run); then the CPU of each of the
instance's threads at the first 200, by name (numbers folded: "C2 CompilerThre#"), so that a
difference shows whether it is the main thread's work, the JIT's or another thread's.

A variant runs the supervised jar with more arguments, for example without some of samboot's
auto-configurations (spring.autoconfigure.exclude replaces the sample's own list, so give it
again):

    --variant "no-metrics=--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,dev.samboot.autoconfigure.metrics.SamMetricsAutoConfiguration"

or another build of the jar, as an A/B of two commits in the same hour: --variant "old=@/tmp/old.jar".

Each system starts in a session of its own; it is ended by that session's id (the pid this
script started), with SIGKILL, after its figures are read.
"""
import argparse
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
READY_TIMEOUT = 180
STARTED = re.compile(r"Started \S+ in ([0-9.]+) seconds \(process running for ([0-9.]+)\)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stat_fields(path):
    with open(path) as stat:
        raw = stat.read()
    return raw[raw.index("(") + 1:raw.rindex(")")], raw.rsplit(")", 1)[1].split()


def cpu_ms(pid):
    _, fields = stat_fields(f"/proc/{pid}/stat")
    return (int(fields[11]) + int(fields[12])) * TICK_MS


def thread_cpu_ms(pid):
    """CPU by thread name, numbers at the end folded into '#'."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name, fields = stat_fields(f"/proc/{pid}/task/{tid}/stat")
        except OSError:
            continue
        name = re.sub(r"[0-9]+$", "#", name)
        threads[name] = threads.get(name, 0) + (int(fields[11]) + int(fields[12])) * TICK_MS
    return threads


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/health", timeout=1) as response:
            return response.status == 200
    except Exception:
        return False


def await_healthy(port, process):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the application ended with status {process.returncode}")
        if healthy(port):
            return
        time.sleep(0.02)
    raise RuntimeError(f"not serving after {READY_TIMEOUT} s")


def instance_pid(log, instance):
    pattern = re.compile(r"Supervised by samboot: instance %d \(pid (\d+)" % instance)
    with open(log, errors="replace") as lines:
        for line in lines:
            match = pattern.search(line)
            if match:
                return int(match.group(1))
    raise RuntimeError(f"no 'Supervised by samboot: instance {instance}' line in {log}")


def started(log, pid):
    with open(log, errors="replace") as lines:
        for line in lines:
            match = STARTED.search(line)
            if match and f" {pid} --- " in line:
                return float(match.group(1)), float(match.group(2))
    raise RuntimeError(f"no 'Started ... in' line of pid {pid} in {log}")


def await_gone(pid, seconds=30):
    deadline = time.monotonic() + seconds
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.01)


def run(system, jar, args, log):
    """One start; returns (cpu, run seconds, uptime seconds, cpu by thread)."""
    port = free_port()
    # Tomcat's base directory beside the log: a JVM killed with SIGKILL leaves it behind
    command = ["java", "-jar", jar, f"--server.port={port}", "--server.address=127.0.0.1",
               f"--server.tomcat.basedir={log[:-len('.log')]}-tomcat"] + args
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        await_healthy(port, process)
        if system == "plain":
            pid = process.pid
        else:
            first = instance_pid(log, 1)
            os.kill(first, signal.SIGKILL)
            await_gone(first)
            time.sleep(0.05)
            await_healthy(port, process)
            pid = instance_pid(log, 2)
        cpu, threads = cpu_ms(pid), thread_cpu_ms(pid)
        time.sleep(0.3)
        run_seconds, uptime = started(log, pid)
        return cpu, run_seconds, uptime, threads
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jar", default="sample-app/target/sample-app-0.1.0-SNAPSHOT.jar")
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=[@JAR] ARG...")
    parser.add_argument("--logs", default=None, help="directory of the logs (default: a new one in /tmp)")
    options = parser.parse_args()
    systems = {"plain": (options.jar, ["--sam.enabled=false"]), "restart": (options.jar, [])}
    for variant in options.variant:
        name, _, rest = variant.partition("=")
        words = shlex.split(rest)
        jar = options.jar
        if words and words[0].startswith("@"):
            jar, words = words[0][1:], words[1:]
        if not name or name in systems:
            parser.error(f"--variant {variant}: give a new name before '='")
        systems[name] = (jar, words)
    logs = options.logs or subprocess.check_output(["mktemp", "-d", "/tmp/restart-cost-XXXXXX"], text=True).strip()
    os.makedirs(logs, exist_ok=True)
    results = {name: [] for name in systems}
    names = list(systems)
    for trial in range(options.trials):
        for name in (names if trial % 2 == 0 else names[::-1]):
            jar, args = systems[name]
            results[name].append(run("plain" if name == "plain" else "restart", jar, args,
                                     os.path.join(logs, f"{name}-{trial + 1}.log")))
        print(f"trial {trial + 1}/{options.trials} done", file=sys.stderr)

    print(f"medians of {options.trials} trials (logs in {logs})")
    print(f"{'':24}{'CPU at first 200':>18}{'run':>10}{'uptime':>10}")
    for name in names:
        rows = results[name]
        print(f"{name:24}{statistics.median(r[0] for r in rows):15.0f} ms"
              f"{statistics.median(r[1] for r in rows):9.3f}s{statistics.median(r[2] for r in rows):9.3f}s"
              f"   (CPU each trial: {' '.join('%.0f' % r[0] for r in rows)})")
    print("\nagainst plain, median of each trial's difference (the systems of a trial run one after another)")
    for name in names[1:]:
        pairs = list(zip(results["plain"], results[name]))
        print(f"{name:24}CPU {statistics.median(r[0] - p[0] for p, r in pairs):+6.0f} ms"
              f"   run {statistics.median(r[1] - p[1] for p, r in pairs) * 1000:+5.0f} ms"
              f"   uptime {statistics.median(r[2] - p[2] for p, r in pairs) * 1000:+5.0f} ms")
    print("\nCPU by thread at the first 200, ms (medians)")
    threads = sorted({thread for name in names for row in results[name] for thread in row[3]})
    print(f"{'thread':24}" + "".join(f"{name:>14}" for name in names))
    for thread in threads:
        medians = [statistics.median(row[3].get(thread, 0) for row in results[name]) for name in names]
        if any(medians):
            print(f"{thread:24}" + "".join(f"{median:14.0f}" for median in medians))


if __name__ == "__main__":
    main()
