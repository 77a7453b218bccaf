using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>A scenario file under Scenarios/: a pipeline, the repository files beside it, how to
/// trigger it, and the statuses and log lines to expect. Adding a case is adding a file.</summary>
public sealed class Scenario
{
    public string? Description { get; set; }
    public string Pipeline { get; set; } = "";
    public Dictionary<string, string> Files { get; set; } = [];
    public string? Ref { get; set; }
    public string Event { get; set; } = "manual";
    public Dictionary<string, string> Inputs { get; set; } = [];
    public Expectation Expect { get; set; } = new();

    public static Scenario Load(string path) =>
        new DeserializerBuilder().WithNamingConvention(HyphenatedNamingConvention.Instance).Build()
            .Deserialize<Scenario>(File.ReadAllText(path));

    public static IEnumerable<object[]> All() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Scenarios"), "*.yml")
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });
}

public sealed class Expectation
{
    public string Build { get; set; } = "succeeded";
    /// <summary>Job name → status; every job of the build must be listed.</summary>
    public Dictionary<string, string> Jobs { get; set; } = [];
    /// <summary>"job/step" → status.</summary>
    public Dictionary<string, string> Steps { get; set; } = [];
    /// <summary>Job → lines its log must contain (exactly, as whole lines).</summary>
    public Dictionary<string, List<string>> Log { get; set; } = [];
    /// <summary>Job → text its log must not contain anywhere.</summary>
    public Dictionary<string, List<string>> LogAbsent { get; set; } = [];
}
