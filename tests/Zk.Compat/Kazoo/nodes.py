# kazoo scenarios for node types, versions and error codes. Run: python3 nodes.py HOST:PORT <scenario>.
import os
import threading

from kazoo.exceptions import (BadArgumentsError, BadVersionError, InvalidACLError, NoAuthError,
                              NoChildrenForEphemeralsError, NodeExistsError, NoNodeError, NotEmptyError,
                              UnimplementedError)
from kazoo.protocol.serialization import Create, Delete, Exists, GetData, SetData
from kazoo.security import ACL, Id, make_digest_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE

from zkcompat import check, connect, create_container, create_flags, create_ttl, expect_error, raw_call, run, wait_event


def root(zk, name):
    path = "/kz-%s-%d" % (name, os.getpid())
    zk.create(path)
    return path


def node_types(hosts):
    zk = connect(hosts)
    base = root(zk, "types")
    session_id = zk.client_id[0]

    zk.create(base + "/persistent", b"p")
    check(zk.exists(base + "/persistent").ephemeralOwner == 0, "a persistent node has no owner")

    zk.create(base + "/ephemeral", b"e", ephemeral=True)
    check(zk.exists(base + "/ephemeral").ephemeralOwner == session_id, "an ephemeral node is owned by its session")

    # Sequence numbers count every child ever created under the parent, sequential or not.
    first = zk.create(base + "/seq-", sequence=True)
    second = zk.create(base + "/seq-", ephemeral=True, sequence=True)
    check(first == base + "/seq-0000000002", "third child gets 0000000002, got " + first)
    check(second == base + "/seq-0000000003", "fourth child gets 0000000003, got " + second)
    check(zk.exists(second).ephemeralOwner == session_id, "an ephemeral sequential node is owned by its session")
    check(zk.create(base + "/", sequence=True) == base + "/0000000004", "a sequential create may end with /")

    path, stat = zk.create(base + "/with-stat", b"xyz", include_data=True)
    check(path == base + "/with-stat" and stat.dataLength == 3 and stat.version == 0, "create2 returns the new node's stat")

    # A container reports no owner and is reaped once its last child is gone.
    container, cstat = create_container(zk, base + "/container")
    check(container == base + "/container" and cstat.ephemeralOwner == 0, "a container reports owner 0")
    create_container(zk, base + "/never-used")
    zk.create(container + "/child")
    gone = threading.Event()
    zk.exists(container, watch=lambda e: gone.set() if e.type == "DELETED" else None)
    zk.delete(container + "/child")
    wait_event(gone, "the empty container to be reaped")
    check(zk.exists(container) is None, "the reaped container is gone")
    # The reaper pass that removed it also saw the container that never had a child, and kept it.
    check(zk.exists(base + "/never-used") is not None, "a never-used container is kept")

    # TTL nodes (extendedTypesEnabled): owner 0, removed once childless for longer than the TTL.
    ttl_path, tstat = create_ttl(zk, base + "/ttl", 300, b"t")
    check(ttl_path == base + "/ttl" and tstat.ephemeralOwner == 0, "a TTL node reports owner 0")
    seq_ttl, _ = create_ttl(zk, base + "/ttl-seq-", 60000, sequence=True)
    check(seq_ttl.startswith(base + "/ttl-seq-00000000"), "a sequential TTL node gets a suffix: " + seq_ttl)
    expired = threading.Event()
    zk.exists(ttl_path, watch=lambda e: expired.set() if e.type == "DELETED" else None)
    wait_event(expired, "the TTL node to expire")
    check(zk.exists(seq_ttl) is not None, "a TTL node within its TTL stays")
    expect_error(BadArgumentsError, create_ttl, zk, base + "/ttl-zero", 0)
    expect_error(BadArgumentsError, create_ttl, zk, base + "/ttl-huge", 1 << 40)
    expect_error(BadArgumentsError, create_ttl, zk, base + "/ttl-not-ttl", 1000, flags=0)
    expect_error(BadArgumentsError, create_flags, zk, base + "/ttl-no-ttl", 5)
    expect_error(BadArgumentsError, create_flags, zk, base + "/bad-flags", 7)

    # Closing the session removes its ephemerals and nothing else.
    zk.stop()
    zk.close()
    other = connect(hosts)
    check(other.exists(base + "/ephemeral") is None and other.exists(second) is None, "ephemerals die with their session")
    check(other.exists(base + "/persistent") is not None and other.exists(first) is not None, "persistent nodes stay")


def versions(hosts):
    zk = connect(hosts)
    base = root(zk, "versions")
    zk.create(base + "/n", b"0")
    stat = zk.set(base + "/n", b"1", version=0)
    check(stat.version == 1, "setData bumps the version")
    stat = zk.set(base + "/n", b"2")
    check(stat.version == 2, "version -1 matches any version")
    expect_error(BadVersionError, zk.set, base + "/n", b"3", version=1)
    expect_error(BadVersionError, zk.delete, base + "/n", version=5)
    check(zk.get(base + "/n")[0] == b"2", "a failed setData changes nothing")

    before = zk.exists(base)
    zk.create(base + "/c1")
    zk.create(base + "/c2")
    zk.delete(base + "/c1")
    after = zk.exists(base)
    check(after.cversion == before.cversion + 3, "each child create and delete bumps cversion")
    check(after.numChildren == before.numChildren + 1, "numChildren counts live children")
    check(after.pzxid > before.pzxid and after.mzxid == before.mzxid, "child changes move pzxid, not mzxid")

    stat = zk.set_acls(base + "/n", OPEN_ACL_UNSAFE + [ACL(1, Id("digest", "u:x"))], version=0)
    check(stat.aversion == 1 and stat.version == 2, "setACL bumps aversion only")
    expect_error(BadVersionError, zk.set_acls, base + "/n", OPEN_ACL_UNSAFE, version=0)
    data, stat = zk.get(base + "/n")
    check(stat.dataLength == 1 and stat.czxid < stat.mzxid, "stat fields follow the changes")
    zk.delete(base + "/n", version=2)
    check(zk.exists(base + "/n") is None, "delete with the right version succeeds")


def errors(hosts):
    zk = connect(hosts)
    base = root(zk, "errors")
    expect_error(NoNodeError, zk.get, base + "/missing")
    expect_error(NoNodeError, zk.create, base + "/missing/child")
    expect_error(NoNodeError, zk.delete, base + "/missing")
    expect_error(NoNodeError, zk.set, base + "/missing", b"x")
    zk.create(base + "/dup")
    expect_error(NodeExistsError, zk.create, base + "/dup")
    expect_error(NodeExistsError, zk.create, "/")
    zk.create(base + "/dup/child")
    expect_error(NotEmptyError, zk.delete, base + "/dup")
    zk.create(base + "/eph", ephemeral=True)
    expect_error(NoChildrenForEphemeralsError, zk.create, base + "/eph/child")
    expect_error(NoChildrenForEphemeralsError, zk.create, base + "/eph/seq-", sequence=True)

    expect_error(InvalidACLError, zk.create, base + "/acl1", acl=[ACL(31, Id("world", "someone"))])
    expect_error(InvalidACLError, zk.create, base + "/acl2", acl=[ACL(31, Id("auth", ""))])
    expect_error(InvalidACLError, zk.create, base + "/acl3", acl=[ACL(31, Id("digest", "no-colon"))])
    expect_error(InvalidACLError, zk.create, base + "/acl4", acl=[ACL(31, Id("ip", "300.1.1.1"))])
    expect_error(InvalidACLError, zk.create, base + "/acl5", acl=[ACL(31, Id("nosuchscheme", "x"))])
    expect_error(InvalidACLError, zk.set_acls, base + "/dup", [])

    zk.create(base + "/ro", b"r", acl=READ_ACL_UNSAFE)
    expect_error(NoAuthError, zk.set, base + "/ro", b"w")
    expect_error(NoAuthError, zk.create, base + "/ro/child")
    zk.create(base + "/secret", b"s", acl=[make_digest_acl("owner", "pw", all=True)])
    expect_error(NoAuthError, zk.get, base + "/secret")
    expect_error(NoAuthError, zk.get_children, base + "/secret")
    # 3.8.4+ (not 3.8.0): exists needs READ on a node that is there.
    expect_error(NoAuthError, zk.exists, base + "/secret")

    # kazoo normalises paths ("//" and "." never reach the server), so bad paths go out as raw requests.
    for bad in [base + "/dup/..", base + "/dup/.", base + "/dup/", base + "/a\u0000b", base + "/\u0001", base + "/\u009f", "relative"]:
        expect_error(BadArgumentsError, raw_call, zk, Create(bad, b"", OPEN_ACL_UNSAFE, 0))
    # The parent is looked up before the full path is validated.
    expect_error(NoNodeError, raw_call, zk, Create(base + "//x", b"", OPEN_ACL_UNSAFE, 0))
    check(raw_call(zk, Create(base + "/dup/", b"", OPEN_ACL_UNSAFE, 2)) == base + "/dup/0000000001", "a sequential create may end with /")
    for bad in [base + "//x", base + "/./x", base + "/x/", base + "/..", "relative"]:
        expect_error(BadArgumentsError, raw_call, zk, SetData(bad, b"", -1))
    for bad in ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config", "relative", base + "/a\u0000b"]:
        expect_error(BadArgumentsError, raw_call, zk, Delete(bad, -1))
    expect_error(BadArgumentsError, raw_call, zk, Exists(base + "/a\u0000b", None))
    # Reads do not validate paths: a malformed one is simply not found.
    expect_error(NoNodeError, raw_call, zk, GetData(base + "//dup", None))
    # create with TTL flags needs createTTL; flags out of range are refused.
    expect_error(BadArgumentsError, create_flags, zk, base + "/f", 9)


def ttl_disabled(hosts):
    zk = connect(hosts)
    base = root(zk, "ttl-off")
    expect_error(UnimplementedError, create_ttl, zk, base + "/ttl", 1000)


run(globals())
