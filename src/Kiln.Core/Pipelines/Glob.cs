namespace Kiln.Core.Pipelines;

/// <summary>
/// Matches branch, tag and path globs: <c>*</c> is any run of characters but '/', <c>?</c> one
/// character but '/', <c>**</c> any run of characters, '/' included, and <c>**/</c> any number
/// (zero too) of whole folders, so <c>**/*.cs</c> matches <c>a.cs</c> and <c>src/x/a.cs</c>.
/// Everything else stands for itself, case-sensitively.
/// </summary>
public static class Glob
{
    public static bool IsMatch(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal))
        {
            return pattern == text;
        }

        var tokens = Tokenize(pattern);
        var n = text.Length;

        // next[s]: tokens[t + 1..] match text[s..]; row[s]: tokens[t..] match text[s..]. Filled from the end.
        var next = new bool[n + 1];
        var row = new bool[n + 1];
        next[n] = true;
        for (var t = tokens.Count - 1; t >= 0; t--)
        {
            var token = tokens[t];
            row[n] = token.Kind is TokenKind.Star or TokenKind.AnyDepth or TokenKind.Folders && next[n];
            var folders = false; // some '/' at or after s with next[that + 1]
            for (var s = n - 1; s >= 0; s--)
            {
                var c = text[s];
                folders |= c == '/' && next[s + 1];
                row[s] = token.Kind switch
                {
                    TokenKind.Literal => c == token.Char && next[s + 1],
                    TokenKind.One => c != '/' && next[s + 1],
                    TokenKind.Star => next[s] || (c != '/' && row[s + 1]),
                    TokenKind.AnyDepth => next[s] || row[s + 1],
                    _ => next[s] || folders,
                };
            }

            (next, row) = (row, next);
        }

        return next[0];
    }

    /// <summary>True when any of <paramref name="patterns"/> matches <paramref name="text"/>.</summary>
    public static bool MatchesAny(IEnumerable<string> patterns, string text) => patterns.Any(p => IsMatch(p, text));

    private static List<Token> Tokenize(string pattern)
    {
        var tokens = new List<Token>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var atFolderStart = i == 0 || pattern[i - 1] == '/';
                if (atFolderStart && i + 2 < pattern.Length && pattern[i + 2] == '/')
                {
                    tokens.Add(new Token(TokenKind.Folders, '\0'));
                    i += 2;
                }
                else
                {
                    tokens.Add(new Token(TokenKind.AnyDepth, '\0'));
                    i++;
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                    }
                }
            }
            else
            {
                tokens.Add(c switch
                {
                    '*' => new Token(TokenKind.Star, '\0'),
                    '?' => new Token(TokenKind.One, '\0'),
                    _ => new Token(TokenKind.Literal, c),
                });
            }
        }

        return tokens;
    }

    private enum TokenKind
    {
        Literal,
        One,
        Star,
        AnyDepth,
        Folders,
    }

    private readonly record struct Token(TokenKind Kind, char Char);
}
