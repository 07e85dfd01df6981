// Specifications of the actor kernel: ordering, behaviours, supervision, death watch, timers under virtual
// time, bounded mailboxes, ask, and the determinism of the simulated dispatcher.
using Zk.Actors.Kernel;
using Zk.Actors.Kernel.Testing;

namespace Zk.Actors.Tests.Kernel;

public sealed class KernelTests
{
    private static (ActorSystem System, SimulationDispatcher Sim, TestProbe Probe) Simulated(int seed = 1)
    {
        var sim = new SimulationDispatcher(seed);
        var system = ActorSystem.CreateSimulated("sim", sim);
        return (system, sim, new TestProbe(system, "probe", sim));
    }

    private sealed class Sender(ActorRef target, int from, int count) : Actor
    {
        protected internal override void PreStart()
        {
            for (var i = 0; i < count; i++) target.Tell((from, i), Self);
        }

        protected internal override void Receive(object message) { }
    }

    private sealed class Collector(List<(int, int)> seen) : Actor
    {
        protected internal override void Receive(object message) => seen.Add(((int, int))message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Messages_from_one_sender_arrive_in_the_order_sent_under_any_interleaving(int seed)
    {
        var (system, sim, _) = Simulated(seed);
        var seen = new List<(int, int)>();
        var collector = system.Spawn("collector", () => new Collector(seen));
        for (var s = 0; s < 4; s++)
        {
            var from = s;
            system.Spawn("sender" + s, () => new Sender(collector, from, 200));
        }
        sim.RunUntilIdle();
        Assert.Equal(800, seen.Count);
        for (var s = 0; s < 4; s++)
        {
            var mine = seen.Where(x => x.Item1 == s).Select(x => x.Item2).ToList();
            Assert.Equal(Enumerable.Range(0, 200), mine);
        }
    }

    [Fact]
    public void Messages_from_one_sender_arrive_in_order_on_the_thread_pool()
    {
        using var system = ActorSystem.Create("prod");
        var probe = new TestProbe(system, "p");
        var echo = system.Spawn("echo", () => new EchoActor(probe.Ref));
        for (var i = 0; i < 5000; i++) echo.Tell(i);
        for (var i = 0; i < 5000; i++) probe.ExpectMsg(i, TimeSpan.FromSeconds(10));
    }

    private sealed class Switcher(ActorRef probe) : Actor
    {
        protected internal override void Receive(object message)
        {
            probe.Tell(("closed", message));
            if (message is "open") Become(Open);
        }

        private void Open(object message)
        {
            probe.Tell(("open", message));
            if (message is "close") Become(Receive);
        }
    }

    [Fact]
    public void Become_switches_the_behaviour_for_the_next_message()
    {
        var (system, _, probe) = Simulated();
        var a = system.Spawn("switch", () => new Switcher(probe.Ref));
        foreach (var m in new[] { "x", "open", "y", "close", "z" }) a.Tell(m);
        probe.ExpectMsg(("closed", (object)"x"));
        probe.ExpectMsg(("closed", (object)"open"));
        probe.ExpectMsg(("open", (object)"y"));
        probe.ExpectMsg(("open", (object)"close"));
        probe.ExpectMsg(("closed", (object)"z"));
    }

    [Fact]
    public void A_failing_child_is_restarted_with_fresh_state_and_keeps_its_mailbox()
    {
        var (system, _, probe) = Simulated();
        var parent = system.Spawn("parent", () => new ParentActor(probe.Ref, SupervisorStrategy.DefaultRestart));
        parent.Tell("child:a");
        parent.Tell("child:b");
        parent.Tell("child:boom");
        parent.Tell("child:c");
        parent.Tell("child:count?");
        probe.ExpectMsg<(string, int, object?)>(where: m => m.Item1 == "preRestart" && m.Item2 == 1 && (string)m.Item3! == "boom");
        probe.ExpectMsg(("postStop", 1));
        // The new instance saw only "c": state is fresh, the message after the failure was not lost.
        probe.ExpectMsg(("count", 2, 1));
    }

    [Fact]
    public void A_child_failing_under_the_stop_strategy_is_stopped_and_its_watcher_told()
    {
        var (system, _, probe) = Simulated();
        var parent = system.Spawn("parent", () => new ParentActor(probe.Ref, SupervisorStrategy.StopOnFailure));
        parent.Tell("child:boom");
        probe.ExpectMsg(("postStop", 1));
        var t = probe.ExpectMsg<Terminated>();
        Assert.EndsWith("/parent/child", t.Actor.Path, StringComparison.Ordinal);
        parent.Tell("child:count?");
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_child_that_keeps_failing_is_stopped_after_the_restart_limit()
    {
        var (system, _, probe) = Simulated();
        var strategy = new SupervisorStrategy(_ => Directive.Restart, maxRestarts: 3, windowMs: 60_000);
        var parent = system.Spawn("parent", () => new ParentActor(probe.Ref, strategy));
        for (var i = 0; i < 5; i++) parent.Tell("child:boom");
        var restarts = 0;
        while (true)
        {
            var m = probe.ReceiveOne(TimeSpan.FromSeconds(1));
            if (m is null) break;
            if (m is ValueTuple<string, int, object?> { Item1: "preRestart" }) restarts++;
            if (m is Terminated) break;
        }
        Assert.Equal(3, restarts);
    }

    private sealed class Watcher(ActorRef probe, ActorRef target) : Actor
    {
        protected internal override void PreStart() => Watch(target);

        protected internal override void Receive(object message) => probe.Tell(message);
    }

    [Fact]
    public void Watching_an_actor_that_already_stopped_delivers_Terminated()
    {
        var (system, sim, probe) = Simulated();
        var target = system.Spawn("target", () => new EchoActor(probe.Ref));
        system.Stop(target);
        sim.RunUntilIdle();
        system.Spawn("watcher", () => new Watcher(probe.Ref, target));
        Assert.Equal(target, probe.ExpectMsg<Terminated>().Actor);
    }

    [Fact]
    public void PoisonPill_stops_the_actor_after_the_messages_queued_before_it()
    {
        var (system, sim, probe) = Simulated();
        var echo = system.Spawn("echo", () => new EchoActor(probe.Ref));
        echo.Tell(1);
        echo.Tell(2);
        echo.Tell(PoisonPill.Instance);
        echo.Tell(3);
        probe.ExpectMsg(1);
        probe.ExpectMsg(2);
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
        Assert.True(system.DeadLetterCount >= 1);
        Assert.False(echo.TryTell(4));
        sim.RunUntilIdle();
    }

    private sealed class TimerActor(ActorRef probe) : Actor
    {
        protected internal override void Receive(object message)
        {
            switch (message)
            {
                case ("single", TimeSpan d):
                    Timers.StartSingleTimer("s", "fired-single", d);
                    break;
                case ("periodic", TimeSpan d):
                    Timers.StartPeriodicTimer("p", "tick", d);
                    break;
                case "cancel":
                    Timers.Cancel("s");
                    Timers.Cancel("p");
                    break;
                default:
                    probe.Tell((message, Time.GetUtcNow()));
                    break;
            }
        }
    }

    [Fact]
    public void A_single_timer_fires_once_at_its_virtual_due_time()
    {
        var (system, sim, probe) = Simulated();
        var start = sim.Time.GetUtcNow();
        var a = system.Spawn("timers", () => new TimerActor(probe.Ref));
        a.Tell(("single", TimeSpan.FromMilliseconds(250)));
        var (msg, at) = probe.ExpectMsg<(object, DateTimeOffset)>(TimeSpan.FromSeconds(1));
        Assert.Equal("fired-single", msg);
        Assert.Equal(start.AddMilliseconds(250), at);
        probe.ExpectNoMsg(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_periodic_timer_fires_every_interval_until_cancelled()
    {
        var (system, sim, probe) = Simulated();
        var start = sim.Time.GetUtcNow();
        var a = system.Spawn("timers", () => new TimerActor(probe.Ref));
        a.Tell(("periodic", TimeSpan.FromMilliseconds(100)));
        for (var i = 1; i <= 5; i++)
        {
            var (_, at) = probe.ExpectMsg<(object, DateTimeOffset)>(TimeSpan.FromSeconds(1));
            Assert.Equal(start.AddMilliseconds(100 * i), at);
        }
        a.Tell("cancel");
        sim.RunUntilIdle();
        while (probe.Pending > 0) probe.ReceiveOne(TimeSpan.Zero);
        probe.ExpectNoMsg(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Restarting_a_timer_replaces_it_and_a_cancelled_timer_never_delivers()
    {
        var (system, sim, probe) = Simulated();
        var start = sim.Time.GetUtcNow();
        var a = system.Spawn("timers", () => new TimerActor(probe.Ref));
        a.Tell(("single", TimeSpan.FromMilliseconds(100)));
        a.Tell(("single", TimeSpan.FromMilliseconds(300)));
        var (_, at) = probe.ExpectMsg<(object, DateTimeOffset)>(TimeSpan.FromSeconds(1));
        Assert.Equal(start.AddMilliseconds(300), at);
        a.Tell(("single", TimeSpan.FromMilliseconds(100)));
        a.Tell("cancel");
        probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    private sealed class Chatter(ActorRef[] peers, int rounds) : Actor
    {
        private int _left = rounds;

        protected internal override void Receive(object message)
        {
            if (_left-- <= 0) return;
            foreach (var p in peers) p.Tell(message);
        }
    }

    private static List<string> Trace(int seed)
    {
        var sim = new SimulationDispatcher(seed);
        var trace = new List<string>();
        sim.Trace = trace.Add;
        var system = ActorSystem.CreateSimulated("det", sim);
        var refs = new ActorRef[5];
        var holder = new ActorRef[5];
        for (var i = 0; i < 5; i++)
        {
            refs[i] = system.Spawn("a" + i, () => new Chatter(holder, 20));
        }
        Array.Copy(refs, holder, 5);
        foreach (var r in refs) r.Tell("go");
        sim.RunUntilIdle();
        return trace;
    }

    [Fact]
    public void The_simulated_dispatcher_replays_the_same_interleaving_for_the_same_seed()
    {
        var a = Trace(42);
        var b = Trace(42);
        Assert.True(a.Count > 100);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Trace(43));
    }

    private sealed class Slow(SemaphoreSlim started, SemaphoreSlim gate) : Actor
    {
        protected internal override void Receive(object message)
        {
            started.Release();
            gate.Wait();
        }
    }

    [Fact]
    public async Task A_bounded_mailbox_refuses_Tell_when_full_and_TellAsync_waits_for_room()
    {
        using var system = ActorSystem.Create("bounded");
        using var started = new SemaphoreSlim(0);
        using var gate = new SemaphoreSlim(0);
        var a = system.Spawn("slow", () => new Slow(started, gate), new ActorOptions(MailboxCapacity: 2));
        a.Tell("first");
        Assert.True(started.Wait(TimeSpan.FromSeconds(10))); // "first" is running and blocked: the mailbox is empty
        Assert.True(a.TryTell(1));
        Assert.True(a.TryTell(2));
        Assert.False(a.TryTell(3));
        var pending = a.TellAsync("later").AsTask();
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);
        gate.Release(10);
        await pending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Answerer : Actor
    {
        protected internal override void Receive(object message)
        {
            if (message is (string q, ActorRef replyTo)) replyTo.Tell(q.ToUpperInvariant());
        }
    }

    [Fact]
    public async Task Ask_returns_the_reply_and_times_out_when_there_is_none()
    {
        using var system = ActorSystem.Create("ask");
        var a = system.Spawn("answerer", () => new Answerer());
        Assert.Equal("HI", await system.Ask<string>(a, r => ("hi", r), TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<TimeoutException>(() => system.Ask<string>(a, _ => "ignored", TimeSpan.FromMilliseconds(100)));
    }

    private sealed class Batcher(ActorRef probe) : Actor
    {
        private int _inBatch;

        protected internal override void Receive(object message) => _inBatch++;

        protected internal override void OnBatchEnd()
        {
            probe.Tell(_inBatch);
            _inBatch = 0;
        }
    }

    [Fact]
    public void OnBatchEnd_runs_after_each_batch_and_batches_cover_every_message()
    {
        var (system, sim, probe) = Simulated(7);
        var a = system.Spawn("batcher", () => new Batcher(probe.Ref));
        for (var i = 0; i < 50; i++) a.Tell(i);
        sim.RunUntilIdle();
        var total = 0;
        var batches = 0;
        while (probe.Pending > 0)
        {
            total += probe.ExpectMsg<int>();
            batches++;
        }
        Assert.Equal(50, total);
        Assert.True(batches is > 1 and < 50, $"expected several multi-message batches, got {batches}");
    }

    [Fact]
    public void Many_actors_on_the_thread_pool_process_every_message_exactly_once()
    {
        using var system = ActorSystem.Create("load");
        var counts = new int[16];
        var done = new CountdownEvent(16 * 2000);
        var actors = Enumerable.Range(0, 16).Select(i => system.Spawn("c" + i, () => new Counter(counts, i, done))).ToArray();
        Parallel.For(0, 2000, n =>
        {
            foreach (var a in actors) a.Tell(n);
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.All(counts, c => Assert.Equal(2000, c));
    }

    private sealed class Counter(int[] counts, int index, CountdownEvent done) : Actor
    {
        protected internal override void Receive(object message)
        {
            counts[index]++; // not interlocked: the kernel never runs two messages of one actor at once
            done.Signal();
        }
    }
}
