# kazoo scenarios for watches and their ordering, ACLs with digest auth, and transactions.
# Run: python3 semantics.py HOST:PORT <scenario>.
import os
import threading

from kazoo.exceptions import (AuthFailedError, BadVersionError, InvalidACLError, NoAuthError, NodeExistsError,
                              RolledBackError, RuntimeInconsistency)
from kazoo.protocol.states import ZnodeStat
from kazoo.security import ACL, Id, make_digest_acl, make_digest_acl_credential, OPEN_ACL_UNSAFE

from zkcompat import check, connect, expect_error, run, wait_event, WireRecorder


def root(zk, name):
    path = "/kz-%s-%d" % (name, os.getpid())
    zk.create(path)
    return path


class Events(object):
    """Collects watch events; fence() proves no further event is pending on the connection."""

    def __init__(self, zk):
        self.zk = zk
        self.items = []
        self.cond = threading.Condition()

    def watcher(self, event):
        with self.cond:
            self.items.append((event.type, event.path))
            self.cond.notify_all()

    def wait_for(self, count, what):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.items) >= count, timeout=20):
                raise AssertionError("timed out waiting for %s; events so far: %r" % (what, self.items))

    def fence(self, base):
        """A watch event of our own, which the server sends after every event queued before it."""
        marker = base + "/fence-%d" % len(self.items)
        seen = threading.Event()
        self.zk.exists(marker, watch=lambda e: seen.set())
        self.zk.create(marker)
        wait_event(seen, "the fence event")
        self.zk.delete(marker)


def watches(hosts):
    a, b = connect(hosts), connect(hosts)
    base = root(a, "watches")
    ev = Events(a)
    a.create(base + "/n", b"0")

    # A data watch fires once, for a change made by another client.
    a.get(base + "/n", watch=ev.watcher)
    b.set(base + "/n", b"1")
    ev.wait_for(1, "NodeDataChanged")
    b.set(base + "/n", b"2")
    ev.fence(base)
    check(ev.items == [("CHANGED", base + "/n")], "a standard watch fires exactly once: %r" % ev.items)

    # An exists watch on a missing node fires on its creation.
    a.exists(base + "/later", watch=ev.watcher)
    b.create(base + "/later")
    ev.wait_for(2, "NodeCreated")
    check(ev.items[1] == ("CREATED", base + "/later"), "exists watch sees the create: %r" % ev.items)

    # Child watches fire on a child's create and, once re-armed, on its delete.
    a.get_children(base + "/n", watch=ev.watcher)
    b.create(base + "/n/child")
    ev.wait_for(3, "NodeChildrenChanged on create")
    a.get_children(base + "/n", watch=ev.watcher)
    b.delete(base + "/n/child")
    ev.wait_for(4, "NodeChildrenChanged on delete")
    check(ev.items[2:] == [("CHILD", base + "/n"), ("CHILD", base + "/n")], "child events: %r" % ev.items)

    # Deleting a node fires its data and child watchers and its parent's child watcher.
    data_gone, kids_gone, parent = threading.Event(), threading.Event(), threading.Event()
    a.get(base + "/n", watch=lambda e: data_gone.set() if e.type == "DELETED" else None)
    a.get_children(base + "/n", watch=lambda e: kids_gone.set() if e.type == "DELETED" else None)
    a.get_children(base, watch=lambda e: parent.set() if e.type == "CHILD" else None)
    b.delete(base + "/n")
    for e, what in ((data_gone, "NodeDeleted to the data watch"), (kids_gone, "NodeDeleted to the child watch"), (parent, "the parent's NodeChildrenChanged")):
        wait_event(e, what)

    # setACL and reads fire nothing.
    a.get(base + "/later", watch=ev.watcher)
    b.set_acls(base + "/later", OPEN_ACL_UNSAFE)
    b.get(base + "/later")
    ev.fence(base)
    check(len(ev.items) == 4, "setACL fires no data watch: %r" % ev.items)


def watch_order(hosts):
    a, b = connect(hosts), connect(hosts)
    base = root(a, "order")
    a.create(base + "/w", b"0")
    a.create(base + "/other")
    wire = WireRecorder(a)

    # Another client's change: the event reaches A before the reply to A's next request.
    a.get(base + "/w", watch=lambda e: None)
    b.set(base + "/w", b"1")
    a.get(base + "/other")
    items = wire.snapshot()
    check(items[-2:] == [("event", None), ("reply", "GetData")], "event before the later reply: %r" % items)

    # A's own change: its event arrives before the reply to the change itself.
    a.exists(base + "/mine", watch=lambda e: None)
    a.create(base + "/mine")
    items = wire.snapshot()
    check(items[-2:] == [("event", None), ("reply", "Create")], "event before the reply to the create: %r" % items)

    # A transaction's events all precede its reply.
    a.get_children(base + "/w", watch=lambda e: None)
    a.get(base + "/other", watch=lambda e: None)
    t = a.transaction()
    t.create(base + "/w/x")
    t.set_data(base + "/other", b"2")
    t.commit()
    items = wire.snapshot()
    check(items[-3:] == [("event", None), ("event", None), ("reply", "Transaction")], "events before the multi reply: %r" % items)


def acls(hosts, super_credential):
    alice = connect(hosts, auth="alice:secret")
    anon = connect(hosts)
    base = root(alice, "acls")
    alice_acl = make_digest_acl("alice", "secret", all=True)

    alice.create(base + "/private", b"p", acl=[alice_acl])
    expect_error(NoAuthError, anon.get, base + "/private")
    expect_error(NoAuthError, anon.set, base + "/private", b"x")
    expect_error(NoAuthError, anon.get_acls, base + "/private")
    expect_error(NoAuthError, anon.create, base + "/private/child")
    check(alice.get(base + "/private")[0] == b"p", "the owner reads")

    # A wrong password authenticates (digest auth always succeeds) but matches nothing; the right one is added.
    wrong = connect(hosts, auth="alice:wrong")
    expect_error(NoAuthError, wrong.get, base + "/private")
    wrong.add_auth("digest", "alice:secret")
    check(wrong.get(base + "/private")[0] == b"p", "auth ids accumulate on a connection")

    # The auth scheme expands to the caller's authenticated ids; without any it is InvalidACL.
    alice.create(base + "/mine", acl=[ACL(31, Id("auth", ""))])
    acl, _ = alice.get_acls(base + "/mine")
    check(acl == [alice_acl], "auth expands to digest:alice: %r" % acl)
    expect_error(InvalidACLError, anon.create, base + "/anon-auth", acl=[ACL(31, Id("auth", ""))])

    # World-readable, alice-writable: others read, cannot write; getACL masks digests for non-admins (3.8.1+).
    alice.create(base + "/shared", b"s", acl=[alice_acl, ACL(1, Id("world", "anyone"))])
    check(anon.get(base + "/shared")[0] == b"s", "world READ lets anyone read")
    expect_error(NoAuthError, anon.set, base + "/shared", b"x")
    masked, _ = anon.get_acls(base + "/shared")
    check(masked == [ACL(31, Id("digest", "alice:x")), ACL(1, Id("world", "anyone"))], "non-admins see digests masked: %r" % masked)
    full, _ = alice.get_acls(base + "/shared")
    check(full == [alice_acl, ACL(1, Id("world", "anyone"))], "the admin sees the hash: %r" % full)

    # ip ACLs match the connection's address.
    anon.create(base + "/local", acl=[ACL(31, Id("ip", "127.0.0.1"))])
    anon.set(base + "/local", b"ok")
    anon.create(base + "/elsewhere", acl=[ACL(31, Id("ip", "10.0.0.0/8")), ACL(1, Id("world", "anyone"))])
    expect_error(NoAuthError, anon.set, base + "/elsewhere", b"x")

    # The super user passes every check.
    root_user = connect(hosts, auth=super_credential)
    check(root_user.get(base + "/private")[0] == b"p", "super reads everything")
    root_user.set(base + "/elsewhere", b"forced")
    root_user.delete(base + "/private")

    # An unknown scheme fails the auth packet and the server closes the connection.
    bad = connect(hosts)
    expect_error(AuthFailedError, bad.add_auth, "nosuchscheme", "x")


def transactions(hosts):
    zk = connect(hosts)
    base = root(zk, "multi")
    t = zk.transaction()
    t.create(base + "/a", b"1")
    t.create(base + "/a/seq-", sequence=True)
    t.set_data(base + "/a", b"2")
    t.check(base + "/a", 1)
    t.create(base + "/b")
    t.delete(base + "/b")
    results = t.commit()
    check(results[0] == base + "/a" and results[1] == base + "/a/seq-0000000000", "create results are paths: %r" % results)
    check(isinstance(results[2], ZnodeStat) and results[2].version == 1, "setData result is the new stat: %r" % results)
    check(results[3:] == [True, base + "/b", True], "check and delete results are True: %r" % results)
    check(zk.get(base + "/a")[0] == b"2" and zk.exists(base + "/b") is None, "all ops applied")

    # A failing op rolls everything back: earlier ops report RolledBack, later ones RuntimeInconsistency.
    seen = []
    zk.exists(base + "/c", watch=lambda e: seen.append(e))
    zk.get(base + "/a", watch=lambda e: seen.append(e))
    t = zk.transaction()
    t.create(base + "/c")
    t.set_data(base + "/a", b"3", version=99)
    t.delete(base + "/a/seq-0000000000")
    results = t.commit()
    check([type(r) for r in results] == [RolledBackError, BadVersionError, RuntimeInconsistency], "rollback shape: %r" % results)
    check(zk.exists(base + "/c") is None and zk.get(base + "/a")[0] == b"2", "nothing applied")
    check(zk.exists(base + "/a/seq-0000000000") is not None, "the delete was rolled back")
    t = zk.transaction()
    t.create(base + "/a")
    results = t.commit()
    check(type(results[0]) is NodeExistsError, "a single failing op reports its own error: %r" % results)
    fence = threading.Event()
    zk.exists(base + "/fence", watch=lambda e: fence.set())
    zk.create(base + "/fence")
    wait_event(fence, "the fence event")
    check(seen == [], "a rolled-back multi fires no watch: %r" % seen)


run(globals())
