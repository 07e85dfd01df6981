// zkbench: `zkbench --connect 127.0.0.1:2181 --workload read` or `zkbench compare`; `zkbench --help` lists the rest.
// Exit codes: 0 clean run, 1 the run had errors, 2 bad arguments, 3 the server could not be reached or set up.
using System.CommandLine;
using Zk.Bench.Cli;

// After Ctrl-C the action gets time to stop the servers it started (SIGTERM, then SIGKILL after 15 s each) before
// System.CommandLine gives up on it; its default of 2 s would leave them running.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
return await BenchCommands.Build().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
