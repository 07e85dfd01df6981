// ZooKeeper configuration keys that ZkActors accepts without acting on them: each earns a warning that names
// it, unlike a misspelt key, which earns "unknown key". Pure data.
using System.Collections.Frozen;

namespace Zk.Host.Config;

internal static class ZooCfgKeys
{
    // From ZooKeeper's administrator guide and QuorumPeerConfig: tuning for its JVM, Netty, SASL/Kerberos,
    // throttling and internals that this server does differently or not at all.
    public static readonly FrozenSet<string> KnownIgnored = new[]
    {
        "preAllocSize", "snapSizeLimitInKb", "txnLogSizeLimitInKb", "maxCnxns",
        "clientPortListenBacklog", "fsync.warningthresholdms", "maxResponseCacheSize", "maxGetChildrenResponseCacheSize",
        "syncEnabled", "emulate353TTLNodes", "watchManagerName", "watcherCleanThreadsNum", "watcherCleanThreshold",
        "watcherCleanIntervalInSeconds", "maxInProcessingDeadWatchers", "bitHashCacheSize",
        "fastleader.minNotificationInterval", "fastleader.maxNotificationInterval", "connectionMaxTokens",
        "connectionTokenFillTime", "connectionTokenFillCount", "connectionFreezeTime", "connectionDropIncrease",
        "connectionDropDecrease", "connectionDecreaseRatio", "learner.closeSocketAsync", "leader.closeSocketAsync",
        "learner.asyncSending", "forward_learner_requests_to_commit_processor_disabled", "request_throttle_max_requests",
        "request_throttle_stall_time", "request_throttle_drop_stale", "largeRequestMaxBytes", "largeRequestThreshold",
        "outstandingHandshake.limit", "netty.server.outstandingHandshake.limit", "throttledOpWaitTime", "digest.enabled",
        "snapshot.trust.empty", "snapshot.compression.method", "audit.enable", "audit.impl.class", "serverCnxnFactory",
        "sessionRequireClientSASLAuth", "enforce.auth.enabled", "enforce.auth.schemes", "sslQuorum",
        "sslQuorumReloadCertFiles", "portUnification", "client.portUnification", "client.secure", "electionPortBindRetry",
        "connectToLearnerMasterLimit", "leaderServes", "cnxTimeout", "quorumCnxnTimeoutMs", "quorumListenOnAllIPs",
        "tcpKeepAlive", "clientTcpKeepAlive", "observer.reconnectDelayMs", "observer.election.DelayMs",
        "localSessionsEnabled", "localSessionsUpgradingEnabled", "multiAddress.enabled",
        "multiAddress.reachabilityCheckTimeoutMs", "multiAddress.reachabilityCheckEnabled", "quorum.cnxn.threads.size",
        "oraclePath", "observerMasterPort", "admin.idleTimeout", "admin.commandURL", "admin.portUnification",
        "admin.forceHttps", "admin.needClientAuth", "admin.snapshot.enabled", "admin.restore.enabled",
        "admin.rateLimiterIntervalInMs", "DigestAuthenticationProvider.digestAlg", "DigestAuthenticationProvider.enabled",
        "X509AuthenticationProvider.superUser", "jute.maxbuffer.extrasize", "maxConcurrentSnapSyncs",
        "maxConcurrentDiffSyncs", "enableEagerACLCheck", "closeSessionTxn.enabled", "flushDelay", "maxWriteQueuePollTime",
        "maxBatchSize", "requestStaleLatencyCheck", "requestStaleConnectionCheck", "traceFile",
        "serializeLastProcessedZxid.enabled", "enforceQuota",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly string[] KnownIgnoredPrefixes =
    [
        "authProvider.", "kerberos.", "quorum.auth.", "metricsProvider.", "jvm.pause.", "zookeeper.", "sasl.",
    ];

    public static bool IsKnownIgnored(string key) =>
        KnownIgnored.Contains(key) || KnownIgnoredPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal));
}
