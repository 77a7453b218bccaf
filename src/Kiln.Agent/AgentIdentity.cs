using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Agent;

/// <summary>Who a remote agent is, as registration made it: kept in <c>WORK/agent.json</c> (mode 0600, it holds
/// the agent's token) so later starts reuse it instead of registering again. Written to a temporary file
/// and renamed, so a crash leaves either the old file or the new one, never half of one.</summary>
public sealed record AgentIdentity(long AgentId, string Name, string Token, string Server)
{
    public const string FileName = "agent.json";

    public static string PathIn(string workDir) => Path.Combine(workDir, FileName);

    /// <summary>The saved identity, or null if there is none yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but cannot be read as an identity.</exception>
    public static AgentIdentity? Load(string workDir)
    {
        var path = PathIn(workDir);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var identity = JsonSerializer.Deserialize(File.ReadAllText(path), IdentityJson.Default.AgentIdentity);
            return identity is { Token.Length: > 0, Name.Length: > 0 } ? identity : throw new InvalidDataException($"{path} lacks the agent's name or token.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid agent identity: {e.Message}", e);
        }
    }

    public void Save(string workDir)
    {
        Directory.CreateDirectory(workDir);
        var path = PathIn(workDir);
        var temp = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        File.Delete(temp);
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, this, IdentityJson.Default.AgentIdentity);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(AgentIdentity))]
internal sealed partial class IdentityJson : JsonSerializerContext;
