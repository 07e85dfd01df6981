# kazoo scenarios for session expiry and for reconnecting with the same session. The client under test talks to
# the server through a TcpProxy, which can reset its connection (no closeSession is ever sent) and refuse
# reconnects. Run: python3 sessions.py HOST:PORT <scenario>.
import os
import threading

from kazoo.client import KazooState
from kazoo.exceptions import NoNodeError

from zkcompat import check, connect, TcpProxy, wait_event


class States(object):
    """Records a client's state transitions and lets a scenario wait for one."""

    def __init__(self, zk):
        self.seen = []
        self.cond = threading.Condition()
        zk.add_listener(self.listener)

    def listener(self, state):
        with self.cond:
            self.seen.append(state)
            self.cond.notify_all()

    def wait_for(self, state, after=0):
        with self.cond:
            if not self.cond.wait_for(lambda: state in self.seen[after:], timeout=20):
                raise AssertionError("never reached %s; states: %r" % (state, self.seen))
            return self.seen.index(state, after) + 1


def port_of(hosts):
    return int(hosts.rsplit(":", 1)[1])


def expiry_removes_ephemerals_and_fires_watches(hosts):
    proxy = TcpProxy(port_of(hosts))
    victim = connect(proxy.hosts, timeout=1.0)
    observer = connect(hosts)
    base = "/kz-expiry-%d" % os.getpid()
    observer.create(base)
    victim.create(base + "/e1", b"x", ephemeral=True)
    victim.create(base + "/e2-", b"y", ephemeral=True, sequence=True)
    old_session = victim.client_id[0]
    states = States(victim)

    deleted, children = threading.Event(), threading.Event()
    observer.exists(base + "/e1", watch=lambda e: deleted.set() if e.type == "DELETED" else None)
    observer.get_children(base, watch=lambda e: children.set() if e.type == "CHILD" else None)

    # Cut the victim off without a closeSession; the server must expire it after its timeout.
    proxy.refuse(True)
    check(proxy.drop() == 1, "the victim had one connection")
    wait_event(deleted, "NodeDeleted for the expired session's ephemeral")
    wait_event(children, "NodeChildrenChanged on the parent")
    check(observer.get_children(base) == [], "every ephemeral of the expired session is gone")

    # Let it back in: the server answers its old session as expired, and kazoo starts a new one.
    mark = len(states.seen)
    proxy.refuse(False)
    after_lost = states.wait_for(KazooState.LOST, mark)
    states.wait_for(KazooState.CONNECTED, after_lost)
    check(victim.client_id[0] != old_session, "a new session replaced the expired one")
    victim.create(base + "/fresh", ephemeral=True)
    check(observer.exists(base + "/fresh").ephemeralOwner == victim.client_id[0], "the new session works")
    proxy.close()


def reconnect_keeps_the_session(hosts):
    proxy = TcpProxy(port_of(hosts))
    client = connect(proxy.hosts, timeout=10.0)
    observer = connect(hosts)
    base = "/kz-reconnect-%d" % os.getpid()
    client.create(base)
    client.create(base + "/e", b"mine", ephemeral=True)
    session = client.client_id
    states = States(client)

    for round_ in range(3):
        mark = len(states.seen)
        check(proxy.drop() == 1, "one live connection to drop")
        after_suspend = states.wait_for(KazooState.SUSPENDED, mark)
        states.wait_for(KazooState.CONNECTED, after_suspend)
        check(client.client_id == session, "round %d: the same session id and password after reconnecting" % round_)
        stat = observer.exists(base + "/e")
        check(stat is not None and stat.ephemeralOwner == session[0], "round %d: the ephemeral survived" % round_)
        client.set(base + "/e", b"round-%d" % round_)
    check(observer.get(base + "/e")[0] == b"round-2", "writes after each reconnect went through")
    check(KazooState.LOST not in states.seen, "the session was never lost: %r" % states.seen)

    # Closing the session for real removes the ephemeral.
    client.stop()
    client.close()
    try:
        observer.get(base + "/e")
        raise AssertionError("the ephemeral outlived its closed session")
    except NoNodeError:
        pass
    proxy.close()


if __name__ == "__main__":
    from zkcompat import run
    run(globals())
