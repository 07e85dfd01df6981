#!/usr/bin/python3
# Failover benchmark (not a test): time from SIGKILL of the leader to the first acknowledged write of a kazoo client
# that was already connected to a surviving server. Runs a loopback ensemble of ZkActors or of Apache ZooKeeper 3.8
# (the Debian package) with the same zoo.cfg settings, kills the leader N times (restarting it each time), prints
# every figure and the median and max. Every server is started and stopped by this script, by PID.
#
#   scripts/failover-bench.py --impl zkactors [--kills 20] [--nodes 3] [--tick-ms 2000]
#   scripts/failover-bench.py --impl apache
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from kazoo.client import KazooClient

VERBOSE = False
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four(port, word, timeout=2.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(word.encode())
            chunks = []
            while True:
                b = s.recv(4096)
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""


def mode(port):
    for line in four(port, "srvr").splitlines():
        if line.startswith("Mode: "):
            return line[6:].strip()
    return None


class Node:
    def __init__(self, sid, impl, work, ports, servers, tick_ms):
        self.sid, self.impl, self.dir = sid, impl, os.path.join(work, "node%d" % sid)
        self.client_port = ports[0]
        self.proc = None
        data = os.path.join(self.dir, "data")
        os.makedirs(data, exist_ok=True)
        with open(os.path.join(data, "myid"), "w") as f:
            f.write("%d\n" % sid)
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        with open(self.cfg, "w") as f:
            f.write("tickTime=%d\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"
                    "4lw.commands.whitelist=*\nadmin.enableServer=false\n" % (tick_ms, data, self.client_port))
            f.write(servers)

    def start(self):
        log = open(os.path.join(self.dir, "server.log"), "ab")
        if self.impl == "zkactors":
            dll = os.environ.get("ZKACTORS_DLL", os.path.join(REPO, "src/Zk.Host/bin/Release/net10.0/zkactors.dll"))
            cmd = ["dotnet", dll, self.cfg]
        else:
            cmd = ["java", "-Xmx256m", "-Dzookeeper.log.dir=" + self.dir, "-Dzookeeper.root.logger=INFO,CONSOLE",
                   "-Dzookeeper.admin.enableServer=false", "-cp", "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar",
                   "org.apache.zookeeper.server.quorum.QuorumPeerMain", self.cfg]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir)

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def wait_stable(nodes, timeout=90.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        modes = {n.sid: mode(n.client_port) for n in nodes}
        leaders = [sid for sid, m in modes.items() if m == "leader"]
        if len(leaders) == 1 and all(m in ("leader", "follower") for m in modes.values()):
            return leaders[0]
        time.sleep(0.05)
    raise RuntimeError("ensemble not stable: %s" % modes)


def first_write_after_kill(nodes, leader, i):
    survivors = [n for n in nodes if n.sid != leader.sid]
    hosts = ",".join("127.0.0.1:%d" % n.client_port for n in survivors)
    zk = KazooClient(hosts=hosts, timeout=10.0, randomize_hosts=False,
                     connection_retry={"max_tries": -1, "delay": 0.01, "backoff": 1.2, "max_delay": 0.05, "max_jitter": 0.1})
    events = []
    zk.add_listener(lambda state: events.append((time.monotonic(), state)))
    zk.start(timeout=30)
    try:
        zk.ensure_path("/bench")
        zk.create("/bench/warm-%d" % i, b"w")
        t0 = time.monotonic()
        os.kill(leader.proc.pid, signal.SIGKILL)
        attempt = 0
        while True:
            attempt += 1
            pending = zk.create_async("/bench/k-%d-%d" % (i, attempt), b"x")
            try:
                pending.get(timeout=60)
                done = time.monotonic()
                if VERBOSE:
                    trail = ", ".join("%s at %.1f" % (st, (t - t0) * 1000.0) for t, st in events if t >= t0)
                    print("    client: %s; %d attempts" % (trail, attempt), flush=True)
                return (done - t0) * 1000.0
            except Exception:
                # Connection loss while the ensemble re-elects: write again at once.
                if time.monotonic() - t0 > 60:
                    raise
    finally:
        leader.proc.wait()
        zk.stop()
        zk.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["zkactors", "apache"], required=True)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--tick-ms", type=int, default=2000)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--verbose", action="store_true", help="show the client's state changes after each kill")
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose

    work = tempfile.mkdtemp(prefix="failover-bench-%s-" % args.impl)
    ports = {sid: (free_port(), free_port(), free_port()) for sid in range(1, args.nodes + 1)}
    servers = "".join("server.%d=127.0.0.1:%d:%d\n" % (sid, p[1], p[2]) for sid, p in ports.items())
    nodes = [Node(sid, args.impl, work, ports[sid], servers, args.tick_ms) for sid in ports]
    figures = []
    try:
        for n in nodes:
            n.start()
        by_id = {n.sid: n for n in nodes}
        leader = wait_stable(nodes)
        for i in range(args.kills):
            victim = by_id[leader]
            ms = first_write_after_kill(nodes, victim, i)
            figures.append(ms)
            print("kill %2d: leader %d -> first write after %.1f ms" % (i + 1, victim.sid, ms), flush=True)
            victim.start()
            leader = wait_stable(nodes)
            time.sleep(0.5)
        print("%s, %d nodes, tickTime %d ms, %d kills: median %.1f ms, max %.1f ms, min %.1f ms" % (
            args.impl, args.nodes, args.tick_ms, len(figures), statistics.median(figures), max(figures), min(figures)))
    finally:
        for n in nodes:
            n.kill(signal.SIGTERM)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("work directory kept:", work, file=sys.stderr)


if __name__ == "__main__":
    main()
