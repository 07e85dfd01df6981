# kazoo's recipes under contention: several worker processes (each its own client and session) run Lock,
# Election, Barrier, DoubleBarrier, Queue, Counter and Party against one server; the coordinator checks the
# recipe's promise. Run: python3 recipes.py HOST:PORT <scenario> [args].
import json
import os
import sys
import threading

from kazoo.exceptions import NodeExistsError
from kazoo.recipe.barrier import Barrier, DoubleBarrier
from kazoo.recipe.counter import Counter
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock
from kazoo.recipe.party import Party
from kazoo.recipe.queue import LockingQueue, Queue

from zkcompat import check, connect, join_all, run, spawn, wait_event

SCRIPT = os.path.abspath(__file__)
WORKERS = 4


def fresh(zk, name):
    base = "/kz-recipe-%s-%d" % (name, os.getpid())
    zk.create(base, makepath=True)
    return base


def children_reach(zk, path, count, what):
    """Waits, by child watches, until path has at least count children."""
    done = threading.Event()

    def watch(children):
        if len(children) >= count:
            done.set()
            return False
        return True

    zk.ChildrenWatch(path, watch)
    wait_event(done, what)


# --- Lock: mutual exclusion, checked by an unprotected read-modify-write and an "inside" marker.

def lock(hosts):
    zk = connect(hosts)
    base = fresh(zk, "lock")
    zk.create(base + "/count", b"0")
    join_all([spawn(SCRIPT, hosts, "lock_worker", base, i) for i in range(WORKERS)])
    check(int(zk.get(base + "/count")[0]) == WORKERS * 10, "every increment under the lock survived")
    check(zk.get_children(base + "/lock") == [], "all lock nodes were released")


def lock_worker(hosts, base, ident):
    zk = connect(hosts)
    for _ in range(10):
        with Lock(zk, base + "/lock", ident):
            try:
                zk.create(base + "/inside", ident.encode(), ephemeral=True)
            except NodeExistsError:
                raise AssertionError("two holders inside the lock at once")
            value = int(zk.get(base + "/count")[0])
            zk.set(base + "/count", str(value + 1).encode())
            zk.delete(base + "/inside")


# --- Election: each candidate leads exactly once, one at a time.

def election(hosts):
    zk = connect(hosts)
    base = fresh(zk, "election")
    outputs = join_all([spawn(SCRIPT, hosts, "election_worker", base, i) for i in range(WORKERS)])
    leaders = sorted(line for out in outputs for line in out)
    check(leaders == sorted("led %d" % i for i in range(WORKERS)), "each candidate led once: %r" % leaders)


def election_worker(hosts, base, ident):
    zk = connect(hosts)

    def lead():
        try:
            zk.create(base + "/leader", ident.encode(), ephemeral=True)
        except NodeExistsError:
            raise AssertionError("two leaders at once")
        zk.set(base, ident.encode())
        print("led " + ident)
        zk.delete(base + "/leader")

    Election(zk, base + "/election", ident).run(lead)


# --- Barrier: nobody passes until the coordinator removes it; then everybody does.

def barrier(hosts):
    zk = connect(hosts)
    base = fresh(zk, "barrier")
    zk.create(base + "/ready")
    zk.create(base + "/passed")
    gate = Barrier(zk, base + "/gate")
    gate.create()
    workers = [spawn(SCRIPT, hosts, "barrier_worker", base, i) for i in range(WORKERS)]
    children_reach(zk, base + "/ready", WORKERS, "every worker waiting at the barrier")
    check(zk.get_children(base + "/passed") == [], "nobody passed a closed barrier")
    gate.remove()
    join_all(workers)
    check(len(zk.get_children(base + "/passed")) == WORKERS, "everybody passed once it was removed")


def barrier_worker(hosts, base, ident):
    zk = connect(hosts)
    gate = Barrier(zk, base + "/gate")
    zk.create(base + "/ready/" + ident, ephemeral=True)
    check(gate.wait(timeout=30), "the barrier was removed")
    zk.create(base + "/passed/" + ident)


# --- DoubleBarrier: nobody enters before all have arrived; nobody leaves before all are done.

def double_barrier(hosts):
    zk = connect(hosts)
    base = fresh(zk, "double")
    zk.create(base + "/arrived")
    zk.create(base + "/entered")
    zk.create(base + "/done")
    join_all([spawn(SCRIPT, hosts, "double_barrier_worker", base, i) for i in range(WORKERS)])
    check(zk.get_children(base + "/barrier") == [], "the double barrier is empty after everyone left")


def double_barrier_worker(hosts, base, ident):
    zk = connect(hosts)
    gate = DoubleBarrier(zk, base + "/barrier", WORKERS, identifier=ident)
    zk.create(base + "/arrived/" + ident)
    gate.enter()
    arrived = zk.get_children(base + "/arrived")
    check(len(arrived) == WORKERS, "entered with only %r arrived" % arrived)
    # kazoo's enter() races with a fast worker's leave(), which deletes the ready node: a worker still between
    # creating its node and watching for ready then sees fewer than WORKERS children and waits forever, whatever the
    # server. So nobody leaves before everyone has entered; leave() itself is still checked below.
    zk.create(base + "/entered/" + ident)
    children_reach(zk, base + "/entered", WORKERS, "everyone entered")
    zk.create(base + "/done/" + ident)
    gate.leave()
    done = zk.get_children(base + "/done")
    check(len(done) == WORKERS, "left with only %r done" % done)


# --- Queue and LockingQueue: every item consumed exactly once, in priority order per consumer.

def queue(hosts):
    zk = connect(hosts)
    base = fresh(zk, "queue")
    producers = [spawn(SCRIPT, hosts, "queue_producer", base, p) for p in range(2)]
    consumers = [spawn(SCRIPT, hosts, "queue_consumer", base, c) for c in range(2)]
    join_all(producers)
    outputs = join_all(consumers)
    taken = sorted(item for out in outputs for item in json.loads(out[0]))
    check(taken == sorted("p%d-%d" % (p, i) for p in range(2) for i in range(25)), "each item once: %r" % taken)

    locking = LockingQueue(zk, base + "/locking")
    locking.put_all([b"low"], priority=200)
    locking.put(b"high", priority=1)
    check(locking.get(timeout=10) == b"high", "LockingQueue hands out the highest priority first")
    check(locking.consume(), "consume removes the held item")
    check(locking.get(timeout=10) == b"low", "then the next one")
    check(locking.consume() and len(locking) == 0, "and the queue is empty")


def queue_producer(hosts, base, ident):
    zk = connect(hosts)
    q = Queue(zk, base + "/q")
    for i in range(25):
        q.put(("p%s-%d" % (ident, i)).encode())
    zk.create(base + "/produced-" + ident)


def queue_consumer(hosts, base, ident):
    zk = connect(hosts)
    q = Queue(zk, base + "/q")
    taken = []
    while True:
        item = q.get()
        if item is not None:
            taken.append(item.decode())
            continue
        both_done = zk.exists(base + "/produced-0") and zk.exists(base + "/produced-1")
        if both_done and q.get() is None and len(q) == 0:
            break
    print(json.dumps(taken))


# --- Counter: concurrent increments are all counted.

def counter(hosts):
    zk = connect(hosts)
    base = fresh(zk, "counter")
    join_all([spawn(SCRIPT, hosts, "counter_worker", base) for _ in range(WORKERS)])
    check(Counter(zk, base + "/c").value == WORKERS * 25, "every increment counted")
    c = Counter(zk, base + "/f", default=0.0)
    c += 2.5
    c -= 1.0
    check(c.value == 1.5, "float counters work too")


def counter_worker(hosts, base):
    zk = connect(hosts)
    c = Counter(zk, base + "/c")
    for _ in range(25):
        c += 1


# --- Party: members see each other join and leave.

def party(hosts):
    zk = connect(hosts)
    base = fresh(zk, "party")
    zk.create(base + "/go")
    zk.create(base + "/members")
    members = [spawn(SCRIPT, hosts, "party_member", base, i) for i in range(WORKERS)]
    children_reach(zk, base + "/members", WORKERS, "every member joined")
    p = Party(zk, base + "/members")
    check(len(p) == WORKERS and sorted(p) == sorted(str(i) for i in range(WORKERS)), "the party lists its members: %r" % list(p))
    zk.set(base + "/go", b"leave")
    join_all(members)
    check(len(p) == 0, "everyone left")


def party_member(hosts, base, ident):
    zk = connect(hosts)
    member = Party(zk, base + "/members", identifier=ident)
    member.join()
    leave = threading.Event()

    @zk.DataWatch(base + "/go")
    def watch(data, stat):
        if data == b"leave":
            leave.set()
            return False
        return True

    wait_event(leave, "the signal to leave")
    member.leave()


if __name__ == "__main__":
    run(globals())
