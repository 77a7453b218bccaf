using Kiln.Core.Pipelines;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using YamlDotNet.Serialization;

namespace Kiln.Core.Tests;

/// <summary>
/// Keeps <c>docs/kiln.schema.json</c> (what editors check) and <see cref="PipelineParser"/> (what
/// Kiln checks) in agreement, over the files in <c>Corpus/</c>: every file in <c>valid/</c> must
/// pass both, every file in <c>invalid/</c> must fail both. Adding a case is adding a file; each
/// invalid file holds one structural mistake that a schema can see. Files below <c>valid/shared/</c>
/// are only included by other files, not pipelines of their own.
/// </summary>
public sealed class SchemaAgreementTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus");
    private static readonly Lazy<Task<JsonSchema>> Schema = new(() =>
        JsonSchema.FromJsonAsync(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "kiln.schema.json"))));

    public static TheoryData<string> ValidFiles() => Files("valid");

    public static TheoryData<string> InvalidFiles() => Files("invalid");

    [Fact]
    public void Corpus_is_large_enough()
    {
        Assert.True(ValidFiles().Count >= 15, "fewer than 15 valid corpus files");
        Assert.True(InvalidFiles().Count >= 15, "fewer than 15 invalid corpus files");
    }

    [Fact]
    public async Task Schema_has_an_id_a_title_and_draft_07()
    {
        var schema = await Schema.Value;
        var json = JObject.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "kiln.schema.json")));

        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)json["$schema"]);
        Assert.False(string.IsNullOrEmpty((string?)json["$id"]));
        Assert.False(string.IsNullOrEmpty(schema.Title));
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public async Task Valid_file_passes_the_schema_and_the_parser(string file)
    {
        var (text, json) = Load("valid", file);

        var schemaErrors = (await Schema.Value).Validate(json);
        var result = Parse(text, file);

        Assert.True(schemaErrors.Count == 0, $"{file}: the schema rejects it:\n{string.Join("\n", schemaErrors)}");
        Assert.True(result.Success, $"{file}: the parser rejects it:\n{string.Join("\n", result.Errors)}");
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public async Task Invalid_file_fails_the_schema_and_the_parser(string file)
    {
        var (text, json) = Load("invalid", file);

        var schemaErrors = (await Schema.Value).Validate(json);
        var result = Parse(text, file);

        Assert.True(schemaErrors.Count > 0, $"{file}: the schema accepts it");
        Assert.False(result.Success, $"{file}: the parser accepts it");
        Assert.NotEmpty(result.Errors);
    }

    private static PipelineParseResult Parse(string text, string file)
    {
        var directory = Path.Combine(CorpusDirectory, Path.GetDirectoryName(file) ?? "");
        return PipelineParser.Parse(text, file, include =>
        {
            var path = Path.Combine(directory, include);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        });
    }

    private static TheoryData<string> Files(string kind)
    {
        var data = new TheoryData<string>();
        var directory = Path.Combine(CorpusDirectory, kind);
        foreach (var path in Directory.EnumerateFiles(directory, "*.yml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(CorpusDirectory, path).Replace('\\', '/'));
        }

        return data;
    }

    private static (string Text, JToken Json) Load(string kind, string file)
    {
        Assert.StartsWith(kind + "/", file, StringComparison.Ordinal);
        var text = File.ReadAllText(Path.Combine(CorpusDirectory, file));
        var yaml = new DeserializerBuilder().Build().Deserialize<object>(text);
        return (text, ToJson(yaml));
    }

    /// <summary>
    /// The YAML as JSON, the way a generic YAML reader sees it: every scalar is a string (an editor
    /// would type <c>true</c> and <c>90</c>; the schema accepts both), empty values are null.
    /// </summary>
    private static JToken ToJson(object? node) => node switch
    {
        null => JValue.CreateNull(),
        IDictionary<object, object?> mapping => new JObject(mapping.Select(e => new JProperty(Convert.ToString(e.Key)!, ToJson(e.Value)))),
        IEnumerable<object?> list when node is not string => new JArray(list.Select(ToJson)),
        _ => new JValue(Convert.ToString(node)),
    };
}
