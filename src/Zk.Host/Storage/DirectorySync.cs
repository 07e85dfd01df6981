// fsync of a directory, so a rename (a published snapshot) survives a power cut. .NET has no API for it: it
// refuses to open a directory as a file, so this calls libc. Stateless and thread-safe.
using System.Runtime.InteropServices;
using System.Text;

namespace Zk.Host.Storage;

internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Fsync(string directory)
    {
        // Windows cannot open a directory this way; NTFS journals its metadata itself.
        if (OperatingSystem.IsWindows())
            return;
        var path = Encoding.UTF8.GetBytes(Path.GetFullPath(directory) + "\0");
        var fd = NativeMethods.open(path, ReadOnly);
        if (fd < 0)
            throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (NativeMethods.fsync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks for three trivial calls.
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
