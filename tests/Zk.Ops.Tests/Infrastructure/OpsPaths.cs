// Where the operations tests keep what a person may look at after a run: tests/Zk.Ops.Tests/TestResults (the
// dashboard screenshots). Everything the tests run is found through Zk.TestSupport's TestPaths.
namespace Zk.Ops.Tests.Infrastructure;

public static class OpsPaths
{
    public static string TestResults
    {
        get
        {
            var dir = Path.Combine(TestPaths.RepoRoot, "tests", "Zk.Ops.Tests", "TestResults");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
