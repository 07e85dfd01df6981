// zkbench: `zkbench --connect 127.0.0.1:2181 --workload read` or `zkbench compare`; `zkbench --help` lists the rest.
// Exit codes: 0 clean run, 1 the run had errors, 2 bad arguments, 3 the server could not be reached or set up.
using Zk.Bench.Cli;

return await BenchCommands.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
