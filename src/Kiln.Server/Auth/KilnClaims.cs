namespace Kiln.Server.Auth;

public static class KilnClaims
{
    /// <summary>"user" or "agent": who a token speaks for.</summary>
    public const string Kind = "kiln:kind";
    public const string AgentId = "kiln:agent";
    public const string Scope = "kiln:scope";

    public const string UserPolicy = "kiln-user";
    public const string AgentPolicy = "kiln-agent";
}
