// Typed exceptions for every KeeperErrorCode, shaped like ZooKeeper's KeeperException family: the same codes, the
// same "KeeperErrorCode = NoNode for /x" messages, and the per-op results of a failed multi. Immutable.
using Zk.Protocol;

namespace Zk.Client;

public class KeeperException : Exception
{
    public KeeperException(KeeperErrorCode code, string? path = null)
        : base(FormatMessage(code, path))
    {
        Code = code;
        Path = path;
    }

    public KeeperErrorCode Code { get; }

    /// <summary>The client path the failed call named, when it named one.</summary>
    public string? Path { get; }

    /// <summary>For a failed multi: one result per op (all ErrorResults); null otherwise.</summary>
    public IReadOnlyList<OpResult>? Results { get; private set; }

    /// <summary>For a failed multi: the index of the op that failed; -1 otherwise.</summary>
    public int FailedOpIndex { get; private set; } = -1;

    /// <summary>The subclass for <paramref name="code"/>; codes without one give the base type.</summary>
    public static KeeperException Create(KeeperErrorCode code, string? path = null) => code switch
    {
        KeeperErrorCode.SystemError => new SystemErrorException(path),
        KeeperErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path),
        KeeperErrorCode.DataInconsistency => new DataInconsistencyException(path),
        KeeperErrorCode.ConnectionLoss => new ConnectionLossException(path),
        KeeperErrorCode.MarshallingError => new MarshallingErrorException(path),
        KeeperErrorCode.Unimplemented => new UnimplementedException(path),
        KeeperErrorCode.OperationTimeout => new OperationTimeoutException(path),
        KeeperErrorCode.BadArguments => new BadArgumentsException(path),
        KeeperErrorCode.UnknownSession => new UnknownSessionException(path),
        KeeperErrorCode.NewConfigNoQuorum => new NewConfigNoQuorumException(path),
        KeeperErrorCode.ReconfigInProgress => new ReconfigInProgressException(path),
        KeeperErrorCode.ApiError => new ApiErrorException(path),
        KeeperErrorCode.NoNode => new NoNodeException(path),
        KeeperErrorCode.NoAuth => new NoAuthException(path),
        KeeperErrorCode.BadVersion => new BadVersionException(path),
        KeeperErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path),
        KeeperErrorCode.NodeExists => new NodeExistsException(path),
        KeeperErrorCode.NotEmpty => new NotEmptyException(path),
        KeeperErrorCode.SessionExpired => new SessionExpiredException(path),
        KeeperErrorCode.InvalidCallback => new InvalidCallbackException(path),
        KeeperErrorCode.InvalidAcl => new InvalidAclException(path),
        KeeperErrorCode.AuthFailed => new AuthFailedException(path),
        KeeperErrorCode.SessionMoved => new SessionMovedException(path),
        KeeperErrorCode.NotReadOnly => new NotReadOnlyException(path),
        KeeperErrorCode.EphemeralOnLocalSession => new EphemeralOnLocalSessionException(path),
        KeeperErrorCode.NoWatcher => new NoWatcherException(path),
        KeeperErrorCode.RequestTimeout => new RequestTimeoutException(path),
        KeeperErrorCode.ReconfigDisabled => new ReconfigDisabledException(path),
        KeeperErrorCode.SessionClosedRequireSaslAuth => new SessionClosedRequireSaslAuthException(path),
        KeeperErrorCode.QuotaExceeded => new QuotaExceededException(path),
        KeeperErrorCode.ThrottledOp => new ThrottledOpException(path),
        _ => new KeeperException(code, path),
    };

    /// <summary>ZooKeeper's wording for each code (KeeperException.getCodeMessage), used in Message.</summary>
    public static string CodeMessage(KeeperErrorCode code) => code switch
    {
        KeeperErrorCode.Ok => "ok",
        KeeperErrorCode.ApiError => "APIError",
        KeeperErrorCode.InvalidAcl => "InvalidACL",
        KeeperErrorCode.NotEmpty => "Directory not empty",
        KeeperErrorCode.SessionExpired => "Session expired",
        KeeperErrorCode.InvalidCallback => "Invalid callback",
        KeeperErrorCode.SessionMoved => "Session moved",
        KeeperErrorCode.NotReadOnly => "Not a read-only call",
        KeeperErrorCode.EphemeralOnLocalSession => "Ephemeral node on local session",
        KeeperErrorCode.NoWatcher => "No such watcher",
        KeeperErrorCode.ReconfigDisabled => "Reconfig is disabled",
        KeeperErrorCode.SessionClosedRequireSaslAuth => "Session closed because client failed to authenticate",
        KeeperErrorCode.QuotaExceeded => "Quota has exceeded",
        KeeperErrorCode.ThrottledOp => "Op throttled due to high load",
        KeeperErrorCode.UnknownSession or KeeperErrorCode.RequestTimeout => "Unknown error " + JavaName(code),
        _ when Enum.IsDefined(code) => code.ToString(),
        _ => "Unknown error " + (int)code,
    };

    internal KeeperException WithMultiResults(IReadOnlyList<OpResult> results, int failedIndex)
    {
        Results = results;
        FailedOpIndex = failedIndex;
        return this;
    }

    private static string FormatMessage(KeeperErrorCode code, string? path) =>
        string.IsNullOrEmpty(path) ? $"KeeperErrorCode = {CodeMessage(code)}" : $"KeeperErrorCode = {CodeMessage(code)} for {path}";

    // Java prints the enum constant for codes without their own wording.
    private static string JavaName(KeeperErrorCode code) => code.ToString().ToUpperInvariant();
}

public sealed class SystemErrorException(string? path = null) : KeeperException(KeeperErrorCode.SystemError, path);

public sealed class RuntimeInconsistencyException(string? path = null) : KeeperException(KeeperErrorCode.RuntimeInconsistency, path);

public sealed class DataInconsistencyException(string? path = null) : KeeperException(KeeperErrorCode.DataInconsistency, path);

/// <summary>The connection dropped before the reply arrived; the operation may or may not have been applied.</summary>
public sealed class ConnectionLossException(string? path = null) : KeeperException(KeeperErrorCode.ConnectionLoss, path);

public sealed class MarshallingErrorException(string? path = null) : KeeperException(KeeperErrorCode.MarshallingError, path);

public sealed class UnimplementedException(string? path = null) : KeeperException(KeeperErrorCode.Unimplemented, path);

public sealed class OperationTimeoutException(string? path = null) : KeeperException(KeeperErrorCode.OperationTimeout, path);

public sealed class BadArgumentsException(string? path = null) : KeeperException(KeeperErrorCode.BadArguments, path);

public sealed class UnknownSessionException(string? path = null) : KeeperException(KeeperErrorCode.UnknownSession, path);

public sealed class NewConfigNoQuorumException(string? path = null) : KeeperException(KeeperErrorCode.NewConfigNoQuorum, path);

public sealed class ReconfigInProgressException(string? path = null) : KeeperException(KeeperErrorCode.ReconfigInProgress, path);

public sealed class ApiErrorException(string? path = null) : KeeperException(KeeperErrorCode.ApiError, path);

public sealed class NoNodeException(string? path = null) : KeeperException(KeeperErrorCode.NoNode, path);

public sealed class NoAuthException(string? path = null) : KeeperException(KeeperErrorCode.NoAuth, path);

public sealed class BadVersionException(string? path = null) : KeeperException(KeeperErrorCode.BadVersion, path);

public sealed class NoChildrenForEphemeralsException(string? path = null) : KeeperException(KeeperErrorCode.NoChildrenForEphemerals, path);

public sealed class NodeExistsException(string? path = null) : KeeperException(KeeperErrorCode.NodeExists, path);

public sealed class NotEmptyException(string? path = null) : KeeperException(KeeperErrorCode.NotEmpty, path);

/// <summary>The session is gone (expired, or this client was closed); the client will not recover it.</summary>
public sealed class SessionExpiredException(string? path = null) : KeeperException(KeeperErrorCode.SessionExpired, path);

public sealed class InvalidCallbackException(string? path = null) : KeeperException(KeeperErrorCode.InvalidCallback, path);

public sealed class InvalidAclException(string? path = null) : KeeperException(KeeperErrorCode.InvalidAcl, path);

public sealed class AuthFailedException(string? path = null) : KeeperException(KeeperErrorCode.AuthFailed, path);

public sealed class SessionMovedException(string? path = null) : KeeperException(KeeperErrorCode.SessionMoved, path);

public sealed class NotReadOnlyException(string? path = null) : KeeperException(KeeperErrorCode.NotReadOnly, path);

public sealed class EphemeralOnLocalSessionException(string? path = null) : KeeperException(KeeperErrorCode.EphemeralOnLocalSession, path);

public sealed class NoWatcherException(string? path = null) : KeeperException(KeeperErrorCode.NoWatcher, path);

/// <summary>The call's timeout elapsed before the reply; the operation may still be applied later.</summary>
public sealed class RequestTimeoutException(string? path = null) : KeeperException(KeeperErrorCode.RequestTimeout, path);

public sealed class ReconfigDisabledException(string? path = null) : KeeperException(KeeperErrorCode.ReconfigDisabled, path);

public sealed class SessionClosedRequireSaslAuthException(string? path = null) : KeeperException(KeeperErrorCode.SessionClosedRequireSaslAuth, path);

public sealed class QuotaExceededException(string? path = null) : KeeperException(KeeperErrorCode.QuotaExceeded, path);

public sealed class ThrottledOpException(string? path = null) : KeeperException(KeeperErrorCode.ThrottledOp, path);
