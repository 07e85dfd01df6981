// A fresh directory under the system temp dir, deleted with everything in it on Dispose.
namespace Zk.Host.Tests.Storage;

public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "zk-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: nothing to clean.
        }
    }
}
