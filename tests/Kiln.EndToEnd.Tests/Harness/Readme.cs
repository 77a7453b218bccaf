using System.Text.RegularExpressions;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>
/// The repository's README.md, read at test time so a test runs what a new user reads: its sections
/// (<c>## Heading</c> up to the next one), their fenced blocks, and the shell commands in them.
/// </summary>
public static partial class Readme
{
    public static string Text { get; } = File.ReadAllText(Path.Combine(KilnExecutable.RepositoryRoot, "README.md"));

    /// <summary>The lines from <c>## heading</c> up to the next <c>## </c> heading.</summary>
    public static IReadOnlyList<string> Section(string heading)
    {
        var lines = Text.Split('\n');
        var start = Array.IndexOf(lines, "## " + heading);
        Assert.True(start >= 0, $"README.md has no section '## {heading}'.");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        return lines[(start + 1)..(end < 0 ? lines.Length : end)];
    }

    /// <summary>The bodies of the section's fenced blocks of one language (<c>```sh</c>), in order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Blocks(IReadOnlyList<string> section, string language)
    {
        var blocks = new List<IReadOnlyList<string>>();
        for (var i = 0; i < section.Count; i++)
        {
            if (section[i] == "```" + language)
            {
                var end = i + 1;
                while (end < section.Count && section[end] != "```")
                {
                    end++;
                }

                blocks.Add(section.Skip(i + 1).Take(end - i - 1).ToList());
                i = end;
            }
        }

        return blocks;
    }

    /// <summary>
    /// The commands of a shell block: one per line, a line ending in <c>\</c> joined with the next, a
    /// here-document with its lines up to its terminator. Blank and comment-only lines are left out.
    /// </summary>
    public static IReadOnlyList<ReadmeCommand> Commands(IReadOnlyList<string> block)
    {
        var commands = new List<ReadmeCommand>();
        for (var i = 0; i < block.Count; i++)
        {
            var line = block[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var text = new List<string> { line };
            while (text[^1].EndsWith('\\') && i + 1 < block.Count)
            {
                text.Add(block[++i]);
            }

            if (HereDocument().Match(line) is { Success: true } heredoc)
            {
                var terminator = heredoc.Groups["word"].Value;
                while (i + 1 < block.Count && text[^1] != terminator)
                {
                    text.Add(block[++i]);
                }

                Assert.True(text[^1] == terminator, $"README.md: the here-document of '{line}' has no '{terminator}' line.");
            }

            commands.Add(new ReadmeCommand(string.Join('\n', text)));
        }

        return commands;
    }

    [GeneratedRegex(@"<<-?\s*'?(?<word>[A-Za-z_]+)'?")]
    private static partial Regex HereDocument();
}

/// <summary>One command as the README writes it; <see cref="Comment"/> is what the README says about it.</summary>
public sealed partial record ReadmeCommand(string Text)
{
    /// <summary>The first line without its aligned comment (two or more spaces, then <c># </c>).</summary>
    public string Command => AlignedComment().Split(Text.Split('\n')[0], 2)[0];

    public string? Comment => AlignedComment().Split(Text.Split('\n')[0], 2) is [_, var comment] ? comment : null;

    [GeneratedRegex(@"\s{2,}#\s")]
    private static partial Regex AlignedComment();
}
