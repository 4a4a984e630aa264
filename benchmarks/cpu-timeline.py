#!/usr/bin/env python3
"""CPU of a first start, window by window: the process `java -jar` started (under samboot the
launcher, then the lean supervisor, one pid) and its child (instance 1), sampled from
/proc/<pid>/stat every 10 ms, beside the machine's idle time from /proc/stat.

    python3 benchmarks/cpu-timeline.py [--jar JAR] [--port PORT] [--trials N] [--window MS]
                                       [--bare-parent] [--other-jar OTHER] [-- APP-ARGS...]

Runs N first starts with samboot and N plain ones (--sam.enabled=false), alternating, each
until its first HTTP 200 on /actuator/health, and prints for each window the median CPU in ms
of the supervisor, of the application's JVM and of the idle CPUs (on two cores a window of
250 ms holds 500 ms of CPU). Stops each run by the pid it started (SIGTERM, then SIGKILL after
30 s).

With --other-jar OTHER, samboot is also started from that jar, in turn with the others.

With --bare-parent a third system alternates with those two: a JVM of one class that starts
the same plain command as its child and waits for it, which is all any supervisor written in
Java must do before its instance starts; its figures are the floor of such a supervisor's
first start on this machine.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BARE_PARENT = """\
public final class BareParent {
    public static void main(String[] args) throws Exception {
        Process child = new ProcessBuilder(args).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            try {
                child.waitFor();
            }
            catch (InterruptedException ex) {
                child.destroyForcibly();
            }
        }));
        System.exit(child.waitFor());
    }
}
"""

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    """User plus system CPU of a process, all its threads, in ms; 0 once it is gone."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * TICK_MS
    except (OSError, IndexError, ValueError):
        return 0


def idle_ms():
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    return (int(fields[3]) + int(fields[4])) * TICK_MS


def child_of(pid):
    """The first child of any thread of a process (the JVM launches from other threads)."""
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    found = children.read().split()
                if found:
                    return int(found[0])
            except OSError:
                continue
    except OSError:
        pass
    return None


def serves(port):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/health", timeout=0.2)
        return True
    except Exception:
        return False


def compile_bare_parent(directory):
    """The bare parent's class, compiled into a directory; returns the java command's prefix."""
    javac = shutil.which("javac")
    if javac is None:
        sys.exit("--bare-parent needs javac (a JDK) on the PATH")
    source = os.path.join(directory, "BareParent.java")
    with open(source, "w") as out:
        out.write(BARE_PARENT)
    subprocess.run([javac, "-d", directory, source], check=True)
    return ["java", "-cp", directory, "BareParent"]


def wait_until_closed(port, deadline_s=30):
    """Wait until nothing answers on the port, so that the next start is not mistaken for it."""
    limit = time.monotonic() + deadline_s
    while serves(port):
        if time.monotonic() > limit:
            raise RuntimeError(f"port {port} still answers {deadline_s} s after the run was stopped")
        time.sleep(0.1)


def one_start(command, port, deadline_s=60):
    """Samples (seconds since launch, supervisor CPU, instance CPU, idle) until the first 200."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    samples = []
    instance = None
    last_probe = 0.0
    try:
        while time.monotonic() - started < deadline_s:
            now = time.monotonic() - started
            if instance is None:
                instance = child_of(process.pid)
            samples.append((now, cpu_ms(process.pid), cpu_ms(instance), idle_ms()))
            if now - last_probe >= 0.05:
                last_probe = now
                if serves(port):
                    return samples
            time.sleep(0.01)
        raise RuntimeError(f"no HTTP 200 within {deadline_s} s")
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if instance is not None and cpu_ms(instance) > 0:
            # its parent is gone without it (killed, or the instance ignored SIGTERM)
            try:
                os.kill(instance, signal.SIGKILL)
            except ProcessLookupError:
                pass


def windows(samples, window_s):
    """CPU per window: (start, supervisor, instance, idle)."""
    rows = []
    edge = 0.0
    previous = samples[0]
    for sample in samples:
        if sample[0] >= edge + window_s:
            rows.append((edge, sample[1] - previous[1], sample[2] - previous[2], sample[3] - previous[3]))
            previous = sample
            edge += window_s
    return rows


def median_rows(runs):
    count = min(len(run) for run in runs)
    return [tuple(statistics.median(run[i][k] for run in runs) for k in range(4)) for i in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", default="sample-app/target/sample-app-0.1.0-SNAPSHOT.jar")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--window", type=int, default=250, help="window in ms")
    parser.add_argument("--bare-parent", action="store_true",
                        help="also start the plain command as the child of a JVM of one class")
    parser.add_argument("--other-jar", help="also start samboot from another build of the jar (say, the "
                        "last commit's), alternating with the others: an A/B on the same machine in the same hour")
    parser.add_argument("args", nargs="*", help="the application's arguments, after --")
    options = parser.parse_args()
    if not os.path.isfile(options.jar):
        sys.exit(f"{options.jar} is missing: build it first (mvn -B -q install -DskipTests)")
    window_s = options.window / 1000
    def java_jar(jar):
        return ["java", "-jar", jar, f"--server.port={options.port}"] + options.args

    app = java_jar(options.jar)
    commands = {"samboot": app, "plain": app + ["--sam.enabled=false"]}
    if options.other_jar:
        if not os.path.isfile(options.other_jar):
            sys.exit(f"{options.other_jar} is missing")
        commands["samboot, other jar"] = java_jar(options.other_jar)
    with tempfile.TemporaryDirectory(prefix="cpu-timeline-") as directory:
        if options.bare_parent:
            commands["bare parent"] = compile_bare_parent(directory) + app + ["--sam.enabled=false"]
        results = {system: [] for system in commands}
        firsts = {system: [] for system in commands}
        for trial in range(options.trials):
            for system, command in commands.items():
                wait_until_closed(options.port)
                samples = one_start(command, options.port)
                results[system].append(windows(samples, window_s))
                firsts[system].append(samples[-1][0] * 1000)
                print(f"trial {trial + 1} {system}: first 200 after {samples[-1][0] * 1000:.0f} ms", flush=True)
                time.sleep(1)
    for system in commands:
        parent = system != "plain"
        print(f"\n{system}: median first 200 after {statistics.median(firsts[system]):.0f} ms; "
              f"median CPU per {options.window} ms window, in ms")
        label = {"samboot": "supervisor", "samboot, other jar": "supervisor",
                 "bare parent": "parent"}.get(system, "")
        print(f"  window        {label:>10}   application   idle")
        for start, supervisor, instance, idle in median_rows(results[system]):
            application = instance if parent else supervisor
            supervisor_text = f"{supervisor:10.0f}" if parent else f"{'':>10}"
            print(f"  {start:5.2f}-{start + window_s:5.2f} s {supervisor_text}   {application:11.0f}   {idle:4.0f}")


if __name__ == "__main__":
    main()
