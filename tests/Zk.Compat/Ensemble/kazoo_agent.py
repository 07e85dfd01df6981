# A kazoo client driven line by line by the ensemble tests: one JSON command per stdin line, one JSON answer per
# stdout line. ZooKeeper errors come back as {"ok": false, "error": "<kazoo exception name>"}, never as a crash.
# A background load (N threads creating unique nodes) records which writes were acknowledged.
import json
import sys
import threading
import time
import hashlib

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError

zk = None
load_threads = []
load_stop = threading.Event()
load_lock = threading.Lock()
acked = []
failed = [0]
states = []


def fast_retry():
    # Reconnect quickly: the tests measure the server, not kazoo's back-off.
    return {"max_tries": -1, "delay": 0.02, "backoff": 1.5, "max_delay": 0.25, "max_jitter": 0.2}


def session_info():
    sid = zk.client_id[0] if zk.client_id else 0
    port = None
    try:
        port = zk._connection._socket.getpeername()[1]
    except Exception:
        pass
    return {"session": "0x%x" % sid, "port": port, "state": zk.state}


def stat_json(stat):
    return {"version": stat.version, "ephemeralOwner": "0x%x" % stat.ephemeralOwner,
            "mzxid": "0x%x" % stat.mzxid, "czxid": "0x%x" % stat.czxid, "numChildren": stat.numChildren}


def load_worker(prefix, index, data):
    n = 0
    while not load_stop.is_set():
        path = "%s/w%d-%07d" % (prefix, index, n)
        n += 1
        try:
            zk.create(path, data)
            with load_lock:
                acked.append(path)
        except (KazooException, KazooTimeoutError):
            # Not acknowledged: it may or may not exist; only acknowledged writes must survive.
            with load_lock:
                failed[0] += 1
            time.sleep(0.005)


def handle(cmd):
    global zk
    op = cmd["op"]
    if op == "connect":
        zk = KazooClient(hosts=cmd["hosts"], timeout=cmd.get("timeout", 10.0), connection_retry=fast_retry(),
                         randomize_hosts=cmd.get("randomize", True))
        zk.add_listener(lambda s: states.append(s))
        zk.start(timeout=cmd.get("start_timeout", 30.0))
        return session_info()
    if op == "session":
        return session_info()
    if op == "states":
        return {"states": list(states)}
    if op == "wait_connected":
        # away_from: the port of a server just killed. Until kazoo reads the EOF it still says CONNECTED to it.
        deadline = time.time() + cmd.get("timeout", 30.0)
        away = cmd.get("away_from")

        def ready():
            return zk.state == KazooState.CONNECTED and (away is None or session_info()["port"] not in (None, away))

        while not ready() and time.time() < deadline:
            time.sleep(0.01)
        info = session_info()
        info["connected"] = ready()
        return info
    if op == "create":
        pending = zk.create_async(cmd["path"], cmd.get("data", "").encode(), ephemeral=cmd.get("ephemeral", False),
                                  sequence=cmd.get("sequence", False), makepath=cmd.get("makepath", False))
        # kazoo queues requests while it reconnects; a timeout says "not acknowledged in time".
        return {"path": pending.get(timeout=cmd.get("timeout"))}
    if op == "set":
        return stat_json(zk.set(cmd["path"], cmd.get("data", "").encode(), version=cmd.get("version", -1)))
    if op == "get":
        data, stat = zk.get(cmd["path"])
        out = stat_json(stat)
        out["data"] = data.decode(errors="replace")
        return out
    if op == "exists":
        stat = zk.exists(cmd["path"])
        return {"exists": stat is not None, "stat": stat_json(stat) if stat else None}
    if op == "children":
        return {"children": sorted(zk.get_children(cmd["path"]))}
    if op == "sync":
        zk.sync(cmd.get("path", "/"))
        return {}
    if op == "ensure":
        zk.ensure_path(cmd["path"])
        return {}
    if op == "tree":
        # Every child of a path with its data, and one digest of it all, read after a sync.
        path = cmd["path"]
        zk.sync(path)
        names = sorted(zk.get_children(path))
        h = hashlib.sha256()
        for name in names:
            data, _ = zk.get(path + "/" + name)
            h.update(name.encode() + b"=" + data + b"\n")
        return {"children": names, "digest": h.hexdigest()}
    if op == "load_start":
        load_stop.clear()
        del acked[:]
        failed[0] = 0
        for i in range(cmd.get("threads", 4)):
            t = threading.Thread(target=load_worker, args=(cmd["prefix"], i, cmd.get("data", "x" * 64).encode()),
                                 daemon=True)
            t.start()
            load_threads.append(t)
        return {}
    if op == "load_progress":
        with load_lock:
            return {"acked": len(acked), "failed": failed[0]}
    if op == "load_stop":
        load_stop.set()
        for t in load_threads:
            t.join(timeout=30)
        del load_threads[:]
        with load_lock:
            return {"acked": list(acked), "failed": failed[0]}
    if op == "close":
        zk.stop()
        zk.close()
        return {}
    raise ValueError("unknown op " + op)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        try:
            result = handle(cmd)
            result["ok"] = True
        except (KazooException, KazooTimeoutError) as e:
            result = {"ok": False, "error": type(e).__name__, "message": str(e)}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
