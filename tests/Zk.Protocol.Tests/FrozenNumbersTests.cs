// Pins every wire number: renaming, renumbering, adding or removing a member of these enums must fail here
// first, because clients and the journal depend on the numbers.
using Zk.Protocol.Framing;

namespace Zk.Protocol.Tests;

public sealed class FrozenNumbersTests
{
    [Fact]
    public void OpCode_numbers_are_frozen() => AssertFrozen<OpCode>(new()
    {
        ["Notification"] = 0, ["Create"] = 1, ["Delete"] = 2, ["Exists"] = 3, ["GetData"] = 4, ["SetData"] = 5,
        ["GetAcl"] = 6, ["SetAcl"] = 7, ["GetChildren"] = 8, ["Sync"] = 9, ["Ping"] = 11, ["GetChildren2"] = 12,
        ["Check"] = 13, ["Multi"] = 14, ["Create2"] = 15, ["Reconfig"] = 16, ["CheckWatches"] = 17,
        ["RemoveWatches"] = 18, ["CreateContainer"] = 19, ["DeleteContainer"] = 20, ["CreateTtl"] = 21,
        ["MultiRead"] = 22, ["Auth"] = 100, ["SetWatches"] = 101, ["Sasl"] = 102, ["GetEphemerals"] = 103,
        ["GetAllChildrenNumber"] = 104, ["SetWatches2"] = 105, ["AddWatch"] = 106, ["WhoAmI"] = 107,
        ["CreateSession"] = -10, ["CloseSession"] = -11, ["Error"] = -1,
    });

    [Fact]
    public void KeeperErrorCode_numbers_are_frozen() => AssertFrozen<KeeperErrorCode>(new()
    {
        ["Ok"] = 0, ["SystemError"] = -1, ["RuntimeInconsistency"] = -2, ["DataInconsistency"] = -3,
        ["ConnectionLoss"] = -4, ["MarshallingError"] = -5, ["Unimplemented"] = -6, ["OperationTimeout"] = -7,
        ["BadArguments"] = -8, ["UnknownSession"] = -12, ["NewConfigNoQuorum"] = -13, ["ReconfigInProgress"] = -14,
        ["ApiError"] = -100, ["NoNode"] = -101, ["NoAuth"] = -102, ["BadVersion"] = -103,
        ["NoChildrenForEphemerals"] = -108, ["NodeExists"] = -110, ["NotEmpty"] = -111, ["SessionExpired"] = -112,
        ["InvalidCallback"] = -113, ["InvalidAcl"] = -114, ["AuthFailed"] = -115, ["SessionMoved"] = -118,
        ["NotReadOnly"] = -119, ["EphemeralOnLocalSession"] = -120, ["NoWatcher"] = -121, ["RequestTimeout"] = -122,
        ["ReconfigDisabled"] = -123, ["SessionClosedRequireSaslAuth"] = -124, ["QuotaExceeded"] = -125,
        ["ThrottledOp"] = -127,
    });

    [Fact]
    public void EventType_numbers_are_frozen() => AssertFrozen<EventType>(new()
    {
        ["None"] = -1, ["NodeCreated"] = 1, ["NodeDeleted"] = 2, ["NodeDataChanged"] = 3, ["NodeChildrenChanged"] = 4,
        ["DataWatchRemoved"] = 5, ["ChildWatchRemoved"] = 6, ["PersistentWatchRemoved"] = 7,
    });

    [Fact]
    public void KeeperState_numbers_are_frozen() => AssertFrozen<KeeperState>(new()
    {
        ["Disconnected"] = 0, ["SyncConnected"] = 3, ["AuthFailed"] = 4, ["ConnectedReadOnly"] = 5,
        ["SaslAuthenticated"] = 6, ["Closed"] = 7, ["Expired"] = -112,
    });

    [Fact]
    public void CreateMode_numbers_are_frozen() => AssertFrozen<CreateMode>(new()
    {
        ["Persistent"] = 0, ["Ephemeral"] = 1, ["PersistentSequential"] = 2, ["EphemeralSequential"] = 3,
        ["Container"] = 4, ["PersistentWithTtl"] = 5, ["PersistentSequentialWithTtl"] = 6,
    });

    [Fact]
    public void Perms_bits_are_frozen() => AssertFrozen<Perms>(new()
    {
        ["None"] = 0, ["Read"] = 1, ["Write"] = 2, ["Create"] = 4, ["Delete"] = 8, ["Admin"] = 16, ["All"] = 31,
    });

    [Fact]
    public void WatcherType_and_AddWatchMode_numbers_are_frozen()
    {
        AssertFrozen<WatcherType>(new() { ["Children"] = 1, ["Data"] = 2, ["Any"] = 3 });
        AssertFrozen<AddWatchMode>(new() { ["Persistent"] = 0, ["PersistentRecursive"] = 1 });
    }

    [Fact]
    public void Reserved_xids_are_frozen()
    {
        Assert.Equal(-1, Xids.Notification);
        Assert.Equal(-2, Xids.Ping);
        Assert.Equal(-4, Xids.Auth);
        Assert.Equal(-8, Xids.SetWatches);
    }

    [Fact]
    public void FourLetterWord_numbers_are_frozen() => AssertFrozen<FourLetterWord>(new()
    {
        ["Conf"] = 0x636F6E66, ["Cons"] = 0x636F6E73, ["Crst"] = 0x63727374, ["Dirs"] = 0x64697273,
        ["Dump"] = 0x64756D70, ["Envi"] = 0x656E7669, ["Gtmk"] = 0x67746D6B, ["Hash"] = 0x68617368,
        ["Isro"] = 0x6973726F, ["Mntr"] = 0x6D6E7472, ["Ruok"] = 0x72756F6B, ["Srst"] = 0x73727374,
        ["Srvr"] = 0x73727672, ["Stat"] = 0x73746174, ["Stmk"] = 0x73746D6B, ["Wchc"] = 0x77636863,
        ["Wchp"] = 0x77636870, ["Wchs"] = 0x77636873, ["TelnetClose"] = unchecked((int)0xFFF4FFFD),
    });

    private static void AssertFrozen<T>(Dictionary<string, int> expected) where T : struct, Enum
    {
        var actual = Enum.GetNames<T>().ToDictionary(n => n, n => Convert.ToInt32(Enum.Parse<T>(n)));
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var added = actual.Keys.Except(expected.Keys).ToList();
        Assert.True(missing.Count == 0, $"{typeof(T).Name} lost members: {string.Join(", ", missing)}");
        Assert.True(added.Count == 0, $"{typeof(T).Name} gained members not pinned here: {string.Join(", ", added)}");
        foreach (var (name, value) in expected)
            Assert.True(actual[name] == value, $"{typeof(T).Name}.{name} is {actual[name]}, frozen at {value}");
    }
}
