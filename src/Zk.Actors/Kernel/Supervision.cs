// What a parent does when a child throws: restart it (fresh instance, same mailbox), stop it, or fail itself.
// Restarts are limited per time window so a child that fails on every message ends up stopped, loudly.
namespace Zk.Actors.Kernel;

public enum Directive
{
    Restart,
    Stop,
    Escalate,
}

public sealed class SupervisorStrategy(Func<Exception, Directive> decider, int maxRestarts = 10, int windowMs = 60_000)
{
    public static readonly SupervisorStrategy DefaultRestart = new(_ => Directive.Restart);

    public static readonly SupervisorStrategy StopOnFailure = new(_ => Directive.Stop);

    public static readonly SupervisorStrategy EscalateAll = new(_ => Directive.Escalate);

    public int MaxRestarts { get; } = maxRestarts;

    public int WindowMs { get; } = windowMs;

    public Directive Decide(Exception e) => decider(e);
}
