// Line editing for the interactive shell (what JLine gives zkCli): cursor movement, kill and yank-free editing,
// history on Up/Down, and Tab completion of command names and znode paths. Used only on the shell's own task
// while no command runs; it reads the console directly.
namespace Zk.Cli;

internal sealed class LineEditor(Shell shell)
{
    private readonly List<char> _line = [];
    private int _cursor;

    /// <summary>The next line, or null at end of input (Ctrl-D on an empty line).</summary>
    public async Task<string?> ReadLineAsync(string prompt)
    {
        _line.Clear();
        _cursor = 0;
        var history = shell.History.OrderBy(h => h.Key).Select(h => h.Value).ToList();
        var historyIndex = history.Count;
        Render(prompt);
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Write("\n");
                    return new string([.. _line]);
                case ConsoleKey.D when ctrl && _line.Count == 0:
                    Console.Write("\n");
                    return null;
                case ConsoleKey.Backspace when _cursor > 0:
                    _line.RemoveAt(--_cursor);
                    break;
                case ConsoleKey.Delete or ConsoleKey.D when (key.Key == ConsoleKey.Delete || ctrl) && _cursor < _line.Count:
                    _line.RemoveAt(_cursor);
                    break;
                case ConsoleKey.LeftArrow or ConsoleKey.B when (key.Key == ConsoleKey.LeftArrow || ctrl) && _cursor > 0:
                    _cursor--;
                    break;
                case ConsoleKey.RightArrow or ConsoleKey.F when (key.Key == ConsoleKey.RightArrow || ctrl) && _cursor < _line.Count:
                    _cursor++;
                    break;
                case ConsoleKey.Home or ConsoleKey.A when key.Key == ConsoleKey.Home || ctrl:
                    _cursor = 0;
                    break;
                case ConsoleKey.End or ConsoleKey.E when key.Key == ConsoleKey.End || ctrl:
                    _cursor = _line.Count;
                    break;
                case ConsoleKey.U when ctrl:
                    _line.RemoveRange(0, _cursor);
                    _cursor = 0;
                    break;
                case ConsoleKey.K when ctrl:
                    _line.RemoveRange(_cursor, _line.Count - _cursor);
                    break;
                case ConsoleKey.W when ctrl:
                    DeleteWordBack();
                    break;
                case ConsoleKey.L when ctrl:
                    Console.Write("\x1b[2J\x1b[H");
                    break;
                case ConsoleKey.UpArrow or ConsoleKey.P when (key.Key == ConsoleKey.UpArrow || ctrl) && historyIndex > 0:
                    Replace(history[--historyIndex]);
                    break;
                case ConsoleKey.DownArrow or ConsoleKey.N when key.Key == ConsoleKey.DownArrow || ctrl:
                    if (historyIndex < history.Count) historyIndex++;
                    Replace(historyIndex < history.Count ? history[historyIndex] : "");
                    break;
                case ConsoleKey.Tab:
                    await CompleteAsync(prompt).ConfigureAwait(false);
                    break;
                default:
                    if (!char.IsControl(key.KeyChar)) _line.Insert(_cursor++, key.KeyChar);
                    break;
            }
            Render(prompt);
        }
    }

    private void Render(string prompt)
    {
        var text = new string([.. _line]);
        // Redraw the whole line, clear what is left of a longer one, then put the cursor back.
        Console.Write("\r" + prompt + text + "\x1b[K");
        var back = _line.Count - _cursor;
        if (back > 0) Console.Write($"\x1b[{back}D");
    }

    private void Replace(string text)
    {
        _line.Clear();
        _line.AddRange(text);
        _cursor = _line.Count;
    }

    private void DeleteWordBack()
    {
        var start = _cursor;
        while (start > 0 && _line[start - 1] == ' ') start--;
        while (start > 0 && _line[start - 1] != ' ') start--;
        _line.RemoveRange(start, _cursor - start);
        _cursor = start;
    }

    // The word before the cursor is a command name when it is the first word, otherwise a path if it starts with '/'.
    private async Task CompleteAsync(string prompt)
    {
        var start = _cursor;
        while (start > 0 && _line[start - 1] != ' ') start--;
        var word = new string([.. _line.GetRange(start, _cursor - start)]);
        var first = _line.Take(start).All(c => c == ' ');
        var candidates = first
            ? Usage.Commands.Keys.Where(c => c.StartsWith(word, StringComparison.Ordinal)).ToList()
            : word.StartsWith('/') ? await shell.CompletePathAsync(word).ConfigureAwait(false) : [];
        if (candidates.Count == 0) return;
        var common = candidates.Aggregate((a, b) => a[..a.Zip(b).TakeWhile(p => p.First == p.Second).Count()]);
        if (candidates.Count == 1) common += first || !candidates[0].EndsWith('/') ? " " : "";
        else if (common.Length == word.Length)
        {
            Console.Write("\n" + string.Join("  ", candidates) + "\n");
            Render(prompt);
        }
        _line.RemoveRange(start, _cursor - start);
        _line.InsertRange(start, common);
        _cursor = start + common.Length;
    }
}
