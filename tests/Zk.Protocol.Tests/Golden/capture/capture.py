#!/usr/bin/python3
"""Records golden ZooKeeper client-protocol frames from real clients talking to a real server.

Starts Apache ZooKeeper (Debian package, ZooKeeperServerMain) on a free loopback port with a temporary
dataDir, puts a recording TCP relay in front of it, drives zkCli.sh, the C client cli_mt, kazoo and a small
Java API driver (JavaDriver.java) through the relay, and writes one .frames file per client into the Golden
directory. Each frame is stored whole (length prefix included) as hex, in arrival order per connection.

Run from the repository root:  /usr/bin/python3 tests/Zk.Protocol.Tests/Golden/capture/capture.py
Needs the Debian packages zookeeper, zookeeper-bin and python3-kazoo, and a JDK (javac) for JavaDriver.java.
Everything it starts is stopped before it exits.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.dirname(HERE)
ZK_CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
CLI_MT = "/usr/lib/zookeeper/bin/cli_mt"
CAPTURE_COMMAND = "/usr/bin/python3 tests/Zk.Protocol.Tests/Golden/capture/capture.py"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def package_version(name):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


class Recorder:
    """Collects whole frames per connection; one instance per golden file."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connections = []  # list of lists of (direction, bytes)

    def new_connection(self):
        with self.lock:
            self.connections.append([])
            return len(self.connections) - 1

    def add(self, conn, direction, frame):
        with self.lock:
            self.connections[conn].append((direction, frame))


class Relay:
    """A TCP relay on loopback that forwards bytes unchanged and records complete frames of both directions."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.recorder = None
        self.live = []
        self.live_lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            recorder = self.recorder
            conn = recorder.new_connection()
            with self.live_lock:
                self.live.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, recorder, conn, "C>"), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, recorder, conn, "S>"), daemon=True).start()

    @staticmethod
    def _pump(src, dst, recorder, conn, direction):
        pending = b""
        while True:
            try:
                chunk = src.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += chunk
            while len(pending) >= 4:
                length = struct.unpack(">i", pending[:4])[0]
                if length < 0 or len(pending) < 4 + length:
                    break
                recorder.add(conn, direction, pending[: 4 + length])
                pending = pending[4 + length:]
            try:
                dst.sendall(chunk)
            except OSError:
                break
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def kick(self):
        """Drops every live connection, so clients reconnect (and re-send auth and watches)."""
        with self.live_lock:
            live, self.live = self.live, []
        for pair in live:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.kick()
        self.listener.close()


class Server:
    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        data = os.path.join(workdir, "data")
        os.makedirs(data)
        self.cfg = os.path.join(workdir, "zoo.cfg")
        with open(self.cfg, "w") as f:
            f.write("tickTime=2000\n")
            f.write(f"dataDir={data}\n")
            f.write(f"clientPort={self.port}\n")
            f.write("clientPortAddress=127.0.0.1\n")
            f.write("maxClientCnxns=0\n")
            f.write("admin.enableServer=false\n")
            f.write("4lw.commands.whitelist=*\n")
        self.log = open(os.path.join(workdir, "server.log"), "w")
        self.proc = subprocess.Popen(
            ["/usr/bin/java", "-Dzookeeper.extendedTypesEnabled=true", "-Dzookeeper.log.dir=" + workdir,
             "-cp", ZK_CLASSPATH, "org.apache.zookeeper.server.ZooKeeperServerMain", self.cfg],
            stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"ruok")
                    if s.recv(16) == b"imok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("ZooKeeper did not start; see " + self.log.name)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def feed(proc, steps, relay):
    """Writes command lines to an interactive client; "KICK" drops its connection; numbers are pauses."""
    for step in steps:
        if isinstance(step, (int, float)):
            time.sleep(step)
        elif step == "KICK":
            time.sleep(1.0)
            relay.kick()
            time.sleep(3.0)
        else:
            proc.stdin.write((step + "\n").encode())
            proc.stdin.flush()
            time.sleep(0.4)


def run_interactive(argv, steps, relay, env=None):
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    try:
        time.sleep(3.0)  # connect (the JVM takes a moment to start)
        feed(proc, steps, relay)
        time.sleep(1.0)
        proc.stdin.close()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


ZKCLI_STEPS = [
    "create /zkcli",
    "create /zkcli/p pdata",
    "create /zkcli/nodata",
    "create -e /zkcli/e edata",
    "create -s /zkcli/s- sdata",
    "create -e -s /zkcli/es- esdata",
    "create -c /zkcli/c",
    "create -c /zkcli/c/child",
    "create -t 60000 /zkcli/ttl ttldata",
    "create -s -t 60000 /zkcli/ttls- ttlsdata",
    "create /zkcli/p again",
    "get -s -w /zkcli/p",
    "get /zkcli/nodata",
    "stat -w /zkcli/p",
    "stat -w /zkcli/later",
    "ls -w /zkcli",
    "ls -s /zkcli",
    "ls -R /zkcli",
    "set /zkcli/p newdata",
    "create /zkcli/later",
    "set -v 1 /zkcli/p v2",
    "set -s /zkcli/p v3",
    "set -v 99 /zkcli/p bad",
    "getAcl /zkcli/p",
    "setAcl /zkcli/p world:anyone:cdrwa",
    "setAcl -v 0 /zkcli/nodata world:anyone:cdrw",
    "addauth digest alice:secret",
    "create /zkcli/secret s digest:alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=:cdrwa",
    "create /zkcli/mine m auth::cdrwa",
    "getAcl /zkcli/secret",
    "whoami",
    "getEphemerals /zkcli",
    "getEphemerals",
    "getAllChildrenNumber /zkcli",
    "addWatch /zkcli/pw",
    "addWatch -m PERSISTENT_RECURSIVE /zkcli/rw",
    "get -w /zkcli/nodata",
    "ls -w /zkcli/c",
    "KICK",
    "create /zkcli/pw pw",
    "create /zkcli/rw",
    "create /zkcli/rw/deep d",
    "set /zkcli/nodata x",
    "removewatches /zkcli/c -c",
    "removewatches /zkcli/p -d",
    "sync /zkcli",
    "config",
    "get /zkcli/missing",
    "delete /zkcli/later",
    "delete -v 0 /zkcli/nodata",
    "delete /zkcli",
    "deleteall /zkcli",
    "quit",
]

CLI_MT_STEPS = [
    "create /cmt",
    "create +e /cmt/e",
    "create +s /cmt/s-",
    "create +es /cmt/es-",
    "create +c /cmt/c",
    "create +t=60000 /cmt/ttl",
    "create2 /cmt/two",
    "create2 +s /cmt/twos-",
    "set /cmt/two hello",
    "get /cmt/two",
    "ls /cmt",
    "ls2 /cmt",
    "exists /cmt/two",
    "exists /cmt/none",
    "wexists /cmt/w",
    "get /cmt",
    "sync /cmt",
    "addauth digest alice:secret",
    "config",
    "KICK",
    "create /cmt/w",
    "delete /cmt/w",
    "delete /cmt/two",
    "delete /cmt",
    "quit",
]


def run_kazoo(relay_port, recorder_relay):
    sys.path.insert(0, "/usr/lib/python3/dist-packages")
    from kazoo.client import KazooClient
    from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE

    events = []
    zk = KazooClient(hosts=f"127.0.0.1:{relay_port}", timeout=10)
    zk.start()
    zk.create("/kz", b"root")
    zk.create("/kz/a", b"a")
    zk.create("/kz/empty")
    zk.create("/kz/e", b"e", ephemeral=True)
    zk.create("/kz/s-", b"s", sequence=True)
    zk.create("/kz/es-", b"es", ephemeral=True, sequence=True)
    zk.create("/kz/d", b"d", include_data=True)
    zk.get("/kz/a", watch=events.append)
    zk.exists("/kz/b", watch=events.append)
    zk.get_children("/kz", watch=events.append)
    zk.get_children("/kz", include_data=True)
    zk.set("/kz/a", b"a2")
    zk.create("/kz/b", b"b")
    zk.set("/kz/a", b"a3", version=1)
    zk.exists("/kz/missing")
    zk.get_acls("/kz/a")
    zk.set_acls("/kz/a", OPEN_ACL_UNSAFE)
    zk.add_auth("digest", "alice:secret")
    zk.create("/kz/secret", b"x", acl=[make_digest_acl("alice", "secret", all=True)])
    zk.get_acls("/kz/secret")
    zk.sync("/kz")
    tx = zk.transaction()
    tx.create("/kz/t1", b"t")
    tx.set_data("/kz/a", b"tx")
    tx.check("/kz/b", 0)
    tx.delete("/kz/empty")
    tx.commit()
    tx = zk.transaction()
    tx.create("/kz/t2", b"t")
    tx.check("/kz/b", 7)
    tx.delete("/kz/t1")
    tx.commit()
    # No reconfig here: kazoo 2.8 has no mapping for -123 ReconfigDisabled and its connection thread dies.
    for bad in ("/kz/missing",):
        try:
            zk.get(bad)
        except Exception:
            pass
    time.sleep(1.0)
    recorder_relay.kick()
    time.sleep(4.0)
    zk.get("/kz/b")
    zk.delete("/kz", recursive=True)
    zk.stop()
    zk.close()


def build_java_driver(workdir):
    out = os.path.join(workdir, "classes")
    os.makedirs(out)
    subprocess.run(["javac", "-nowarn", "-cp", ZK_CLASSPATH, "-d", out, os.path.join(HERE, "JavaDriver.java")],
                   check=True)
    return out


def run_java_driver(classes, relay_port, relay):
    proc = subprocess.Popen(
        ["/usr/bin/java", "-cp", classes + ":" + ZK_CLASSPATH, "JavaDriver", f"127.0.0.1:{relay_port}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == "KICK":
                time.sleep(1.0)
                relay.kick()
                time.sleep(1.0)
                proc.stdin.write("GO\n")
                proc.stdin.flush()
            elif line.startswith("ERROR"):
                raise RuntimeError("JavaDriver: " + line)
        if proc.wait(timeout=60) != 0:
            raise RuntimeError("JavaDriver failed")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def write_frames(name, client, recorder):
    path = os.path.join(GOLDEN, name)
    zk = package_version("zookeeper")
    with open(path, "w") as f:
        f.write(f"# Golden frames. Client: {client}.\n")
        f.write(f"# Server: Apache ZooKeeper 3.8.0 standalone (Debian zookeeper {zk}, ZooKeeperServerMain,\n")
        f.write("#   -Dzookeeper.extendedTypesEnabled=true), through a recording relay on loopback.\n")
        f.write(f"# Captured with: {CAPTURE_COMMAND}\n")
        f.write("# Format: 'connection N' opens a TCP connection; then one whole frame per line (4-byte length\n")
        f.write("#   included) as hex, 'C>' client to server, 'S>' server to client, in arrival order.\n")
        for i, frames in enumerate(recorder.connections):
            if not frames:
                continue
            f.write(f"connection {i + 1}\n")
            for direction, frame in frames:
                f.write(f"{direction} {frame.hex()}\n")
    total = sum(len(c) for c in recorder.connections)
    print(f"wrote {path}: {len(recorder.connections)} connections, {total} frames")


def main():
    workdir = tempfile.mkdtemp(prefix="zk-golden-")
    server = None
    relay = None
    try:
        server = Server(workdir)
        relay = Relay(server.port)
        classes = build_java_driver(workdir)
        zk_version = "Apache ZooKeeper 3.8.0 Java client"
        jobs = [
            ("zkcli.frames", f"zkCli.sh ({zk_version}, Debian zookeeper {package_version('zookeeper')})",
             lambda: run_interactive([ZKCLI, "-server", f"127.0.0.1:{relay.port}"], ZKCLI_STEPS, relay,
                                     env=dict(os.environ, ZOO_LOG_DIR=workdir, CLIENT_JVMFLAGS="-Dzookeeper.log.dir=" + workdir))),
            ("cli_mt.frames", f"cli_mt (Apache ZooKeeper 3.8.0 C client, Debian zookeeper-bin "
                              f"{package_version('zookeeper-bin')})",
             lambda: run_interactive([CLI_MT, f"127.0.0.1:{relay.port}"], CLI_MT_STEPS, relay)),
            ("kazoo.frames", f"kazoo {package_version('python3-kazoo')} (Debian python3-kazoo) on /usr/bin/python3",
             lambda: run_kazoo(relay.port, relay)),
            ("java-api.frames", f"JavaDriver.java on the {zk_version} API (org.apache.zookeeper.ZooKeeper)",
             lambda: run_java_driver(classes, relay.port, relay)),
        ]
        only = set(sys.argv[1:])
        for name, client, job in jobs:
            if only and name not in only:
                continue
            relay.recorder = Recorder()
            job()
            time.sleep(0.5)
            relay.kick()
            write_frames(name, client, relay.recorder)
    finally:
        if relay:
            relay.close()
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
