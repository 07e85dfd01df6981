// zkcli's entry point: zkCli.sh's arguments, then an interactive session (line editing when stdin is a terminal,
// plain lines when it is not) or one command. Exit code 0 on success, zkCli's code of the last command otherwise.
using Zk.Cli;

try
{
    var options = Shell.ParseOptions(args);
    var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true, NewLine = "\n" };
    var error = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true, NewLine = "\n" };
    var shell = new Shell(options, output, error);
    var editor = options.Command is null && !Console.IsInputRedirected ? new LineEditor(shell) : null;
    return await shell.RunAsync(Console.In, editor);
}
catch (CliException e)
{
    Console.Error.WriteLine(e.Message);
    return e.ExitCode;
}
