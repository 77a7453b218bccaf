namespace Kiln.Core.Triggers;

/// <summary>What a pull request from a fork builds (a project's <c>forkPullRequests</c>): its code is not
/// the project's own, so by default it runs without the project's secrets.</summary>
public enum ForkPolicy
{
    /// <summary><c>build-without-secrets</c>: the build runs, and no job gets a secret.</summary>
    BuildWithoutSecrets,

    /// <summary><c>require-approval</c>: the build's jobs wait as <c>manual</c> until a project developer approves.</summary>
    RequireApproval,

    /// <summary><c>skip</c>: no build; the delivery is recorded as skipped.</summary>
    Skip,
}

/// <summary>Wire names of <see cref="ForkPolicy"/>: the kebab-case of the member.</summary>
public static class ForkPolicies
{
    private static readonly WireNames<ForkPolicy> Wire = new(p => Builds.StatusNames.ToSnakeCase(p.ToString()).Replace('_', '-'));

    public static IReadOnlyList<string> Names => Wire.Names;

    public static string ToWire(this ForkPolicy policy) => Wire.ToWire(policy);

    public static bool TryParse(string? name, out ForkPolicy policy) => Wire.TryParse(name, out policy);

    public static ForkPolicy Parse(string name) => Wire.Parse(name);
}
