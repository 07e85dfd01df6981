# kazoo (Debian's python3-kazoo) against a dockerised ensemble through its published 127.0.0.1 ports:
#   python3 ensemble_client.py HOSTS put PATH DATA   creates PATH (and its parents) with DATA; prints "OK"
#   python3 ensemble_client.py HOSTS get PATH        syncs PATH, then prints "DATA <data>"
#   python3 ensemble_client.py HOSTS writer PREFIX   creates PREFIX/w-<n> with data "v<n>" for n = 0, 1, ... one at a time
#       until a line (or EOF) arrives on stdin; prints "ACK <n> <epoch ms>" for every create the ensemble acknowledged
#       and "ERR <n> <epoch ms> <error>" for every one it did not; a failed create is not retried
#   python3 ensemble_client.py HOSTS check PREFIX N  syncs, then requires PREFIX/w-<n> with data "v<n>" for every n
#       listed on stdin (one per line, N of them); prints "OK <N>"
#   python3 ensemble_client.py HOSTS hold            connects, prints "CONNECTED <session id>", waits for stdin to close
# Any failure prints a traceback and exits 1.
import sys
import threading
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.retry import KazooRetry

WAIT = 30.0


def connect(hosts):
    # Retries forever, quickly: while a member is down the client moves on to the next address.
    zk = KazooClient(hosts=hosts, timeout=10.0, connection_retry=KazooRetry(max_tries=-1, delay=0.05, max_delay=0.5))
    zk.start(timeout=WAIT)
    return zk


def now_ms():
    return int(time.time() * 1000)


def put(zk, path, data):
    zk.create(path, data.encode(), makepath=True)
    print("OK", flush=True)


def get(zk, path):
    zk.sync(path)
    data, _ = zk.get(path)
    print("DATA " + data.decode(), flush=True)


def writer(zk, prefix):
    zk.ensure_path(prefix)
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    print("STARTED", flush=True)
    n = 0
    while not stop.is_set():
        try:
            zk.create("%s/w-%d" % (prefix, n), ("v%d" % n).encode())
            print("ACK %d %d" % (n, now_ms()), flush=True)
        except KazooException as e:
            print("ERR %d %d %s" % (n, now_ms(), type(e).__name__), flush=True)
            time.sleep(0.05)
        n += 1
    print("STOPPED %d" % n, flush=True)


def check(zk, prefix, count):
    wanted = [int(line) for line in sys.stdin.read().split()]
    if len(wanted) != count:
        raise AssertionError("expected %d numbers on stdin, got %d" % (count, len(wanted)))
    zk.sync(prefix)
    reads = [(n, zk.get_async("%s/w-%d" % (prefix, n))) for n in wanted]
    for n, r in reads:
        data, _ = r.get(timeout=WAIT)
        if data != ("v%d" % n).encode():
            raise AssertionError("%s/w-%d holds %r" % (prefix, n, data))
    print("OK %d" % count, flush=True)


def hold(zk):
    print("CONNECTED 0x%x" % zk.client_id[0], flush=True)
    sys.stdin.read()


def main():
    hosts, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    zk = connect(hosts)
    try:
        if command == "put":
            put(zk, args[0], args[1])
        elif command == "get":
            get(zk, args[0])
        elif command == "writer":
            writer(zk, args[0])
        elif command == "check":
            check(zk, args[0], int(args[1]))
        elif command == "hold":
            hold(zk)
        else:
            raise SystemExit("unknown command " + command)
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - any failure is the test's failure, with its traceback
        traceback.print_exc()
        sys.exit(1)
