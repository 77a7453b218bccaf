using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Server.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests;

/// <summary>A project's queue settings (cooldownSeconds, maxRunningBuilds, weight) and default branch:
/// written with POST and PATCH (a JSON merge patch), read back, and every way a value can be wrong.</summary>
public sealed class ProjectSettingsApiTests
{
    [Fact]
    public async Task A_new_project_has_no_cooldown_no_limit_and_weight_1()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var document = JsonDocument.Parse(await server.Admin.GetStringAsync("api/v1/projects/app"));
        var project = document.RootElement;

        Assert.Equal(0, project.GetProperty("cooldownSeconds").GetInt32());
        Assert.Equal(JsonValueKind.Null, project.GetProperty("maxRunningBuilds").ValueKind);
        Assert.Equal(1, project.GetProperty("weight").GetInt32());
    }

    [Fact]
    public async Task A_project_created_with_settings_keeps_them()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var created = await PostAsync(server, new CreateProjectRequest("app", null, "trunk", KilnTestServer.TwoJobPipeline, 30, 2, 3));

        await KilnTestServer.ExpectAsync(created, HttpStatusCode.Created);
        var returned = (await created.Content.ReadFromJsonAsync(KilnJsonContext.Default.ProjectResource))!;
        Assert.Equal(("trunk", 30, (int?)2, 3), (returned.DefaultBranch, returned.CooldownSeconds, returned.MaxRunningBuilds, returned.Weight));
        var listed = Assert.Single((await server.Admin.GetFromJsonAsync("api/v1/projects", KilnJsonContext.Default.ListProjectResource))!);
        Assert.Equal(("trunk", 30, (int?)2, 3), (listed.DefaultBranch, listed.CooldownSeconds, listed.MaxRunningBuilds, listed.Weight));
    }

    [Fact]
    public async Task Creating_with_a_setting_out_of_range_is_a_422_naming_it_and_adds_nothing()
    {
        await using var server = await KilnTestServer.StartAsync();
        var cases = new (string Field, CreateProjectRequest Request)[]
        {
            ("cooldownSeconds", Create(cooldown: -1)),
            ("cooldownSeconds", Create(cooldown: 86_401)),
            ("maxRunningBuilds", Create(limit: 0)),
            ("weight", Create(weight: 0)),
            ("weight", Create(weight: 101)),
            ("defaultBranch", Create(branch: new string('b', 256))),
        };

        foreach (var (field, request) in cases)
        {
            using var response = await PostAsync(server, request);

            var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString();
            Assert.Contains($"'{field}'", detail, StringComparison.Ordinal);
        }

        Assert.Equal("[]", await server.Admin.GetStringAsync("api/v1/projects"));
        using var edges = await PostAsync(server, Create(cooldown: 86_400, limit: 1, weight: 100));
        await KilnTestServer.ExpectAsync(edges, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Creating_with_a_setting_of_the_wrong_type_is_a_400_naming_it()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var response = await server.Admin.PostAsync("api/v1/projects", Json("""{"name":"app","pipeline":"jobs: {}","weight":"heavy"}"""));

        var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString();
        Assert.Equal("'weight' must be a whole number; got the string \"heavy\".", detail);
    }

    [Fact]
    public async Task Patching_one_field_changes_it_and_leaves_the_others()
    {
        await using var server = await KilnTestServer.StartAsync();
        using (var created = await PostAsync(server, new CreateProjectRequest("app", null, "trunk", KilnTestServer.TwoJobPipeline, 30, 2, 3)))
        {
            await KilnTestServer.ExpectAsync(created, HttpStatusCode.Created);
        }

        var steps = new (string Patch, string Branch, int Cooldown, int? Limit, int Weight)[]
        {
            ("""{"weight":5}""", "trunk", 30, 2, 5),
            ("""{"cooldownSeconds":0}""", "trunk", 0, 2, 5),
            ("""{"maxRunningBuilds":4}""", "trunk", 0, 4, 5),
            ("""{"defaultBranch":" dev "}""", "dev", 0, 4, 5),
            ("""{}""", "dev", 0, 4, 5),
            ("""{"cooldownSeconds":600,"maxRunningBuilds":1,"weight":1,"defaultBranch":"main"}""", "main", 600, 1, 1),
        };
        foreach (var (patch, branch, cooldown, limit, weight) in steps)
        {
            var returned = await PatchOkAsync(server, "app", patch);
            var shown = (await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource))!;

            Assert.Equal((branch, cooldown, limit, weight), (returned.DefaultBranch, returned.CooldownSeconds, returned.MaxRunningBuilds, returned.Weight));
            Assert.Equal(returned, shown);
        }
    }

    [Fact]
    public async Task An_explicit_null_removes_the_limit_and_an_absent_one_keeps_it()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await PatchOkAsync(server, "app", """{"maxRunningBuilds":2}""");

        var absent = await PatchOkAsync(server, "app", """{"weight":2}""");
        var removed = await PatchOkAsync(server, "app", """{"maxRunningBuilds":null}""");

        Assert.Equal(2, absent.MaxRunningBuilds);
        Assert.Null(removed.MaxRunningBuilds);
        Assert.Null((await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource))!.MaxRunningBuilds);
    }

    [Fact]
    public async Task Patching_a_value_out_of_range_is_a_422_naming_the_field_and_changes_nothing()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        var cases = new (string Patch, string Field)[]
        {
            ("""{"cooldownSeconds":-1}""", "cooldownSeconds"),
            ("""{"cooldownSeconds":86401}""", "cooldownSeconds"),
            ("""{"maxRunningBuilds":0}""", "maxRunningBuilds"),
            ("""{"maxRunningBuilds":-3}""", "maxRunningBuilds"),
            ("""{"weight":0}""", "weight"),
            ("""{"weight":101}""", "weight"),
            ("""{"defaultBranch":"  "}""", "defaultBranch"),
            ($$"""{"defaultBranch":"{{new string('b', 256)}}"}""", "defaultBranch"),
            // One bad field spoils the patch: the good one is not applied either.
            ("""{"weight":7,"cooldownSeconds":100000}""", "cooldownSeconds"),
        };

        foreach (var (patch, field) in cases)
        {
            using var response = await PatchAsync(server, "app", patch);

            var problem = await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Contains($"'{field}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var project = (await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource))!;
        Assert.Equal(("main", 0, (int?)null, 1), (project.DefaultBranch, project.CooldownSeconds, project.MaxRunningBuilds, project.Weight));
        var edges = await PatchOkAsync(server, "app", """{"cooldownSeconds":86400,"maxRunningBuilds":1,"weight":100}""");
        Assert.Equal((86_400, (int?)1, 100), (edges.CooldownSeconds, edges.MaxRunningBuilds, edges.Weight));
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_a_400_naming_the_field()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        var cases = new (string Patch, string Detail)[]
        {
            ("""{"weight":"3"}""", "'weight' must be a whole number; got the string \"3\"."),
            ("""{"weight":null}""", "'weight' must be a whole number; got null."),
            ("""{"cooldownSeconds":1.5}""", "'cooldownSeconds' must be a whole number of seconds; got 1.5."),
            ("""{"cooldownSeconds":true}""", "'cooldownSeconds' must be a whole number of seconds; got true."),
            ("""{"maxRunningBuilds":"none"}""", "'maxRunningBuilds' must be a whole number, or null for no limit; got the string \"none\"."),
            ("""{"maxRunningBuilds":99999999999}""", "'maxRunningBuilds' must be a whole number, or null for no limit; got 99999999999."),
            ("""{"defaultBranch":null}""", "'defaultBranch' must be a string (a branch name); got null."),
            ("""{"defaultBranch":["main"]}""", "'defaultBranch' must be a string (a branch name); got an array."),
        };

        foreach (var (patch, detail) in cases)
        {
            using var response = await PatchAsync(server, "app", patch);

            Assert.Equal(detail, (await KilnTestServer.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task An_unknown_or_read_only_field_is_a_400_naming_it()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var unknown = await PatchAsync(server, "app", """{"weight":2,"colour":"blue"}""");
        using var readOnly = await PatchAsync(server, "app", """{"name":"other"}""");
        using var twice = await PatchAsync(server, "app", """{"weight":2,"Weight":3}""");

        var unknownDetail = (await KilnTestServer.ProblemAsync(unknown, HttpStatusCode.BadRequest)).GetProperty("detail").GetString();
        Assert.Contains("'colour' is not a project setting", unknownDetail, StringComparison.Ordinal);
        Assert.Contains("cooldownSeconds, maxRunningBuilds, weight", unknownDetail, StringComparison.Ordinal);
        Assert.Contains("'name' cannot be changed", (await KilnTestServer.ProblemAsync(readOnly, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("'weight' is given more than once", (await KilnTestServer.ProblemAsync(twice, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, (await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource))!.Weight);
    }

    [Fact]
    public async Task Several_problems_are_all_listed()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var response = await PatchAsync(server, "app", """{"weight":0,"cooldownSeconds":-5,"maxRunningBuilds":0}""");

        var problem = await KilnTestServer.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("'weight' must be 1 to 100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'cooldownSeconds' must be 0 to 86400", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'maxRunningBuilds' must be at least 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_that_is_not_a_json_object_is_a_400()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        foreach (var (body, says) in new[] { ("[]", "got an array"), ("3", "got 3"), ("null", "got null"), ("", "not valid JSON"), ("{\"weight\":", "not valid JSON") })
        {
            using var response = await PatchAsync(server, "app", body);

            var detail = (await KilnTestServer.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString();
            Assert.StartsWith("The body must be a JSON object", detail, StringComparison.Ordinal);
            Assert.Contains(says, detail, StringComparison.Ordinal);
        }

        using var form = await server.Admin.PatchAsync("api/v1/projects/app", new StringContent("weight=2", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Contains("application/merge-patch+json", (await KilnTestServer.ProblemAsync(form, HttpStatusCode.UnsupportedMediaType)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_application_json_is_accepted_too()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");

        using var response = await server.Admin.PatchAsync("api/v1/projects/app", Json("""{"weight":4}"""));

        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal(4, (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ProjectResource))!.Weight);
    }

    [Fact]
    public async Task Patching_a_project_that_does_not_exist_is_a_404()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var response = await PatchAsync(server, "nope", """{"weight":2}""");

        Assert.Contains("'nope'", (await KilnTestServer.ProblemAsync(response, HttpStatusCode.NotFound)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patching_needs_a_user_token()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        var agent = await server.EnrollAgentAsync();

        using var none = await server.Client(null).PatchAsync("api/v1/projects/app", MergePatch("""{"weight":9}"""));
        using var unknown = await server.Client("kiln_not-a-real-token").PatchAsync("api/v1/projects/app", MergePatch("""{"weight":9}"""));
        using var asAgent = await agent.PatchAsync("api/v1/projects/app", MergePatch("""{"weight":9}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asAgent.StatusCode);
        Assert.Equal(1, (await server.Admin.GetFromJsonAsync("api/v1/projects/app", KilnJsonContext.Default.ProjectResource))!.Weight);
    }

    [Fact]
    public async Task Changing_a_queue_setting_wakes_agents_waiting_for_work()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        var waiter = server.App.Services.GetRequiredService<ChangeNotifier>().Waiter(ChangeNotifier.Work);
        Assert.False(waiter.IsCompleted);

        await PatchOkAsync(server, "app", """{"maxRunningBuilds":3}""");

        Assert.True(waiter.IsCompleted, "a raised limit can make a queued job leasable, so the lease long polls must look again");
    }

    private static CreateProjectRequest Create(int? cooldown = null, int? limit = null, int? weight = null, string? branch = null) =>
        new("app", null, branch, KilnTestServer.TwoJobPipeline, cooldown, limit, weight);

    private static Task<HttpResponseMessage> PostAsync(KilnTestServer server, CreateProjectRequest request) =>
        server.Admin.PostAsJsonAsync("api/v1/projects", request, KilnJsonContext.Default.CreateProjectRequest);

    private static Task<HttpResponseMessage> PatchAsync(KilnTestServer server, string project, string body) =>
        server.Admin.PatchAsync($"api/v1/projects/{project}", MergePatch(body));

    private static async Task<ProjectResource> PatchOkAsync(KilnTestServer server, string project, string body)
    {
        using var response = await PatchAsync(server, project, body);
        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ProjectResource))!;
    }

    private static StringContent MergePatch(string body) => new(body, Encoding.UTF8, "application/merge-patch+json");

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
