namespace Kiln.Server.Auth;

public static class KilnClaims
{
    /// <summary>"user", "agent" or "registration" (a token that may only register agents): who a token speaks for.</summary>
    public const string Kind = "kiln:kind";
    public const string AgentId = "kiln:agent";
    public const string UserId = "kiln:user";
    public const string TokenId = "kiln:token";
    public const string Scope = "kiln:scope";
    /// <summary>"true" when the token's user is an administrator.</summary>
    public const string IsAdmin = "kiln:admin";

    public const string UserPolicy = "kiln-user";
    public const string AgentPolicy = "kiln-agent";
    /// <summary>A user token with scope admin whose user is an administrator.</summary>
    public const string AdminPolicy = "kiln-admin";
    public const string RegistrationPolicy = "kiln-registration";

    /// <summary>The <c>Scope</c> of a registration token; such a token has neither user nor agent.</summary>
    public const string RegistrationScope = "agent-registration";
    public const string AgentScope = "agent";
}
