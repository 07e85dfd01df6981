# Helpers shared by the kazoo compatibility scenarios: connecting, container and TTL creates (kazoo 2.8 has no
# API for them), a wire-order recorder, a TCP proxy that can cut and refuse connections, worker processes, and
# the scenario runner: `python3 script.py HOST:PORT scenario [args]` prints "OK scenario" or fails with a traceback.
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections import namedtuple

from kazoo.client import KazooClient
from kazoo.protocol.serialization import Create, int_struct, long_struct, read_string, stat_struct, write_buffer, write_string
from kazoo.protocol.states import ZnodeStat
from kazoo.retry import KazooRetry
from kazoo.security import OPEN_ACL_UNSAFE

WAIT = 20.0  # seconds any single expected event may take before a scenario fails


def connect(hosts, timeout=10.0, auth=None, **kwargs):
    zk = KazooClient(hosts=hosts, timeout=timeout, connection_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=0.5), **kwargs)
    zk.start(timeout=WAIT)
    if auth:
        zk.add_auth("digest", auth)
    return zk


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_error(error_type, fn, *args, **kwargs):
    """Calls fn and requires it to raise error_type (a kazoo.exceptions class)."""
    try:
        result = fn(*args, **kwargs)
    except error_type:
        return
    raise AssertionError("%s%r returned %r instead of raising %s" % (fn.__name__, args, result, error_type.__name__))


def wait_event(event, what):
    if not event.wait(WAIT):
        raise AssertionError("timed out waiting for " + what)


def _serialize_create(path, data, acl, flags):
    b = bytearray()
    b.extend(write_string(path))
    b.extend(write_buffer(data))
    b.extend(int_struct.pack(len(acl)))
    for a in acl:
        b.extend(int_struct.pack(a.perms) + write_string(a.id.scheme) + write_string(a.id.id))
    b.extend(int_struct.pack(flags))
    return b


def _read_path_and_stat(buffer, offset):
    path, offset = read_string(buffer, offset)
    return path, ZnodeStat._make(stat_struct.unpack_from(buffer, offset))


class CreateContainer(namedtuple("CreateContainer", "path data acl flags")):
    type = 19

    def serialize(self):
        return _serialize_create(self.path, self.data, self.acl, self.flags)

    @classmethod
    def deserialize(cls, buffer, offset):
        return _read_path_and_stat(buffer, offset)


class CreateTTL(namedtuple("CreateTTL", "path data acl flags ttl")):
    type = 21

    def serialize(self):
        b = _serialize_create(self.path, self.data, self.acl, self.flags)
        b.extend(long_struct.pack(self.ttl))
        return b

    @classmethod
    def deserialize(cls, buffer, offset):
        return _read_path_and_stat(buffer, offset)


def raw_call(zk, request):
    """Sends a kazoo request object as it is: no path normalisation, no argument checks."""
    result = zk.handler.async_result()
    zk._call(request, result)
    return result.get(timeout=WAIT)


_call = raw_call


def create_container(zk, path, value=b"", acl=OPEN_ACL_UNSAFE):
    """createContainer (opcode 19, flags 4): returns (path, stat)."""
    return _call(zk, CreateContainer(path, value, acl, 4))


def create_ttl(zk, path, ttl_ms, value=b"", sequence=False, acl=OPEN_ACL_UNSAFE, flags=None):
    """createTTL (opcode 21, flags 5 or 6): returns (path, stat)."""
    return _call(zk, CreateTTL(path, value, acl, flags if flags is not None else (6 if sequence else 5), ttl_ms))


def create_flags(zk, path, flags, value=b""):
    """A plain create (opcode 1) with arbitrary flags, bypassing kazoo's argument checks."""
    return _call(zk, Create(path, value, OPEN_ACL_UNSAFE, flags))


class WireRecorder(object):
    """Records the order in which a client's connection thread reads notifications and replies off the socket."""

    def __init__(self, zk):
        self.items = []
        self._lock = threading.Lock()
        conn = zk._connection
        read_event, read_reply = conn._read_watch_event, conn._read_response

        def on_event(buffer, offset):
            with self._lock:
                self.items.append(("event", None))
            return read_event(buffer, offset)

        def on_reply(header, buffer, offset):
            request = zk._pending[0][0] if zk._pending else None
            with self._lock:
                self.items.append(("reply", type(request).__name__))
            return read_reply(header, buffer, offset)

        conn._read_watch_event = on_event
        conn._read_response = on_reply

    def snapshot(self):
        with self._lock:
            return list(self.items)


class TcpProxy(object):
    """Forwards 127.0.0.1:<port> to the server. drop() resets every live connection; refuse() makes new ones fail."""

    def __init__(self, target_port):
        self.target_port = target_port
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._pairs = []
        self._lock = threading.Lock()
        self._refusing = False
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def hosts(self):
        return "127.0.0.1:%d" % self.port

    def refuse(self, refusing=True):
        self._refusing = refusing

    def drop(self):
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                except OSError:
                    pass
        return len(pairs)

    def close(self):
        self._closed = True
        self._listener.close()
        self.drop()

    def _accept_loop(self):
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def spawn(script, hosts, scenario, *args):
    """Starts `python3 script HOSTS scenario args` as a separate process (its own kazoo client and session)."""
    cmd = [sys.executable, script, hosts, scenario] + [str(a) for a in args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def join_all(processes, timeout=60.0):
    """Waits for worker processes; fails with their output if any fails; returns each one's stdout lines."""
    outputs = []
    deadline = time.monotonic() + timeout
    for p in processes:
        try:
            out, err = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for q in processes:
                q.kill()
            raise AssertionError("worker %r did not finish in time" % (p.args,))
        if p.returncode != 0:
            raise AssertionError("worker %r failed (%d):\n%s\n%s" % (p.args, p.returncode, out, err))
        outputs.append([line for line in out.splitlines() if line and not line.startswith("OK ")])
    return outputs


def run(scenarios):
    """Entry point of each scenario script."""
    hosts, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    fn = scenarios.get(name)
    if fn is None:
        print("unknown scenario " + name, file=sys.stderr)
        sys.exit(2)
    try:
        fn(hosts, *args)
    except BaseException:
        traceback.print_exc()
        sys.stdout.flush()
        os._exit(1)
    print("OK " + name)
    sys.stdout.flush()
    # kazoo's daemon threads can linger; the scenario is over.
    os._exit(0)
