namespace Kiln.Cli;

/// <summary>DESIGN.md's exit codes.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int BuildFailed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int NotFound = 4;
}
