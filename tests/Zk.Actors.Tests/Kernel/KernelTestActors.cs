// Small actors used by the kernel tests.
using Zk.Actors.Kernel;

namespace Zk.Actors.Tests.Kernel;

internal sealed record Record(object Message);

/// <summary>Forwards every message it receives to a probe, tagged with its own instance number.</summary>
internal sealed class EchoActor(ActorRef probe) : Actor
{
    protected internal override void Receive(object message) => probe.Tell(message, Self);
}

/// <summary>Counts messages; throws on "boom"; reports its count and instance on "count?".</summary>
internal sealed class FragileActor(ActorRef probe, Func<int> instance) : Actor
{
    private readonly int _instance = instance();
    private int _count;

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case "boom":
                throw new InvalidOperationException("boom");
            case "count?":
                probe.Tell(("count", _instance, _count), Self);
                break;
            default:
                _count++;
                break;
        }
    }

    protected internal override void PreRestart(Exception reason, object? message)
    {
        probe.Tell(("preRestart", _instance, message), Self);
        base.PreRestart(reason, message);
    }

    protected internal override void PostStop() => probe.Tell(("postStop", _instance), Self);
}

/// <summary>A parent with a chosen strategy for one FragileActor child; forwards "child:*" messages to it.</summary>
internal sealed class ParentActor(ActorRef probe, SupervisorStrategy strategy) : Actor
{
    private int _instances;
    private ActorRef? _child;

    protected internal override SupervisorStrategy SupervisorStrategy => strategy;

    protected internal override void PreStart()
    {
        _child = Spawn("child", () => new FragileActor(probe, () => ++_instances));
        Watch(_child);
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case Terminated t:
                probe.Tell(t, Self);
                break;
            case string s when s.StartsWith("child:", StringComparison.Ordinal):
                _child!.Tell(s["child:".Length..], probe);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
