using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

/// <summary>The errors of the keys beyond the foundation, each with its exact place.</summary>
public sealed class PipelineValidationTests
{
    private static string[] Errors(string yaml, Func<string, string?>? includes = null)
    {
        var result = PipelineParser.Parse(yaml, includeResolver: includes);
        Assert.Null(result.Pipeline);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    private static string[] JobErrors(string jobKeys) => Errors("jobs:\n  a:\n    steps: [x]\n" + jobKeys);

    [Fact]
    public void Booleans_are_true_or_false_only() =>
        Assert.Equal(
            [
                ".kiln.yml:4:20: 'allow-failure' must be true or false, not 'yes'",
                ".kiln.yml:5:13: 'manual' must be true or false, not 'True'",
            ],
            JobErrors("    allow-failure: yes\n    manual: True\n"));

    [Fact]
    public void Step_keys()
    {
        const string Yaml = """
            jobs:
              a:
                steps:
                  - run: x
                    if: always()
                    continue-on-error: 1
                    shell: zsh
                    working-directory: /abs
                  - run: y
                    shell: bsh
                    workdir: z
            """;

        Assert.Equal(
            [
                ".kiln.yml:5:13: 'if' must be success, failure or always, not 'always()' (hint: did you mean 'always'?)",
                ".kiln.yml:6:28: 'continue-on-error' must be true or false, not '1'",
                ".kiln.yml:7:16: 'shell' must be bash, sh, python3, pwsh or a command line with {0} for the script file, not 'zsh' (hint: did you mean 'sh'?)",
                ".kiln.yml:8:28: 'working-directory' must be a path relative to the workspace, without '..', not '/abs'",
                ".kiln.yml:10:16: 'shell' must be bash, sh, python3, pwsh or a command line with {0} for the script file, not 'bsh' (hint: did you mean 'bash'?)",
                ".kiln.yml:11:9: unknown key 'workdir' in a step",
            ],
            Errors(Yaml));
        Assert.Equal(
            [".kiln.yml:4:12: 'shell' must be bash, sh, python3, pwsh or a command line with {0} for the script file, not 'node --harmony' (hint: write 'node --harmony {0}' to run the script file with it)"],
            JobErrors("    shell: node --harmony\n"));
    }

    [Fact]
    public void Unknown_job_key_suggests_the_new_keys()
    {
        var errors = PipelineParser.Parse("jobs:\n  a:\n    steps: [x]\n    runs_on: linux\n    matirx: { a: [1] }\n    allow_failure: true\n").Errors;

        Assert.Equal(
            ["did you mean 'runs-on'?", "did you mean 'matrix'?", "did you mean 'allow-failure'?"],
            errors.Select(e => e.Hint));
        Assert.Equal(["jobs.a.runs_on", "jobs.a.matirx", "jobs.a.allow_failure"], errors.Select(e => e.Key));
    }

    [Fact]
    public void Paths_must_stay_in_the_workspace() =>
        Assert.Equal(
            [
                ".kiln.yml:4:24: 'working-directory' must be a path relative to the workspace, without '..', not '../up'",
                ".kiln.yml:5:26: 'paths' must be a path relative to the workspace, without '..', not 'a/../../b'",
                ".kiln.yml:5:37: 'paths' must be a path relative to the workspace, without '..', not 'C:\\x'",
                ".kiln.yml:6:30: 'paths' must be a path relative to the workspace, without '..', not '/etc'",
            ],
            JobErrors("    working-directory: ../up\n    artifacts: { paths: [a/../../b, 'C:\\x'], expire: 1d }\n    cache: { key: k, paths: [/etc] }\n"));

    [Fact]
    public void Artifacts_cache_and_concurrency_shapes()
    {
        Assert.Equal(
            [
                ".kiln.yml:4:16: 'artifacts' has no 'paths' (hint: add 'paths: [<glob>, ...]')",
                ".kiln.yml:4:26: 'expire' must be a duration like 90s, 20m or 1h, not 'never'",
                ".kiln.yml:5:12: 'cache' has no 'key'",
                ".kiln.yml:5:12: 'cache' has no 'paths'",
                ".kiln.yml:6:18: 'concurrency' has no 'group' (hint: add 'group: <name>')",
                ".kiln.yml:6:40: 'cancel-in-progress' must be true or false, not 'maybe'",
            ],
            JobErrors("    artifacts: { expire: never }\n    cache: {}\n    concurrency: { cancel-in-progress: maybe }\n"));
        Assert.Equal(
            [
                ".kiln.yml:4:12: 'cache' must be a mapping with 'key' and 'paths', not a string",
                ".kiln.yml:5:18: 'concurrency' must be a string, not a list",
                ".kiln.yml:6:16: 'artifacts' is empty",
            ],
            JobErrors("    cache: deps\n    concurrency: [a]\n    artifacts: []\n"));
    }

    [Fact]
    public void Retry_rules() =>
        Assert.Equal(
            [
                ".kiln.yml:4:12: 'retry' must be a whole number from 0 to 10, not '11'",
                ".kiln.yml:7:12: 'retry' must be a number or a mapping with 'max' and 'on', not a list",
            ],
            Errors("jobs:\n  a:\n    steps: [x]\n    retry: 11\n  b:\n    steps: [x]\n    retry: [1]\n"));

    [Fact]
    public void Retry_mapping_rules() =>
        Assert.Equal(
            [
                ".kiln.yml:4:12: 'retry' has no 'max' (hint: add 'max: <0 to 10>')",
                ".kiln.yml:4:19: 'retry.on' may list failed, lost and timed_out, not 'timeout' (hint: did you mean 'timed_out'?)",
                ".kiln.yml:4:28: 'retry.on' may list failed, lost and timed_out, not 'crash'",
                ".kiln.yml:5:22: 'retry' must be a whole number from 0 to 10, not '-1'",
            ],
            Errors("jobs:\n  a:\n    steps: [x]\n    retry: { on: [timeout, crash] }\n  b: { retry: { max: -1 }, steps: [x] }\n"));

    [Fact]
    public void Services_rules() =>
        Assert.Equal(
            [
                ".kiln.yml:5:7: service name '-db' must start with a letter or digit and hold only letters, digits, '_', '-' and '.'",
                ".kiln.yml:6:10: service 'x' has no 'image' (hint: add 'image: <name:tag>')",
                ".kiln.yml:6:20: '99999' is not a port; write 5432, 8080:80 or 53/udp",
                ".kiln.yml:6:27: 'a:b' is not a port; write 5432, 8080:80 or 53/udp",
                ".kiln.yml:7:10: 'image' must be a string, not a list",
                ".kiln.yml:8:12: unknown key 'imgae' in service 'z' (hint: did you mean 'image'?)",
            ],
            JobErrors("    services:\n      -db: redis\n      x: { ports: [99999, 'a:b'] }\n      y: [a]\n      z: { imgae: a, image: b }\n"));

    [Fact]
    public void Services_must_be_a_mapping() =>
        Assert.Equal(
            [".kiln.yml:4:15: 'services' must be a mapping of names to images, not a list (hint: write 'services: { db: postgres:16 }')"],
            JobErrors("    services: [postgres]\n"));

    [Fact]
    public void Runs_on_and_image() =>
        Assert.Equal(
            [
                ".kiln.yml:4:15: 'runs-on' must be a string or a list of strings, not a mapping",
                ".kiln.yml:5:12: 'image' is empty",
            ],
            JobErrors("    runs-on: [{ a: b }]\n    image: ''\n"));

    [Fact]
    public void When_rules()
    {
        Assert.Equal(
            [
                ".kiln.yml:4:11: 'when' has no conditions (hint: add branches, tags, events or changes, or remove 'when')",
            ],
            JobErrors("    when: {}\n"));
        Assert.Equal(
            [
                ".kiln.yml:4:22: 'branches' is empty",
                ".kiln.yml:4:35: 'pushh' is not an event; events are push, pull_request, tag, manual, api, schedule (hint: did you mean 'push'?)",
                ".kiln.yml:4:43: unknown key 'paths' in 'when'",
            ],
            JobErrors("    when: {branches: [], events: [pushh], paths: [a] }\n"));
    }

    [Fact]
    public void A_need_that_when_can_remove_is_an_error_unless_the_needing_job_has_the_same_condition()
    {
        const string Yaml = """
            jobs:
              a:
                when: { branches: [main], changes: ["src/**"] }
                steps: [x]
              b:
                needs: [a]
                steps: [x]
              c:
                needs: [a]
                when: { branches: [main] }
                steps: [x]
              d:
                needs: [a]
                when: { changes: ["src/**"], branches: [main], events: [push] }
                steps: [x]
            """;

        var errors = PipelineParser.Parse(Yaml).Errors;

        Assert.Equal(
            [
                ".kiln.yml:6:13: 'b' needs 'a', which its `when` can remove; 'b' would then be skipped with it (hint: move the condition to 'b' too or drop the need)",
                ".kiln.yml:9:13: 'c' needs 'a', which its `when` can remove; 'c' would then be skipped with it (hint: move the condition to 'c' too or drop the need)",
            ],
            errors.Select(e => e.ToString()));
        Assert.Equal("jobs.b.needs", errors[0].Key);
    }

    [Fact]
    public void On_rules()
    {
        Assert.Equal(
            [".kiln.yml:1:5: 'on' is empty; list the triggers that build the pipeline (hint: write 'on: [push, manual]', or remove 'on' for the default)"],
            Errors("on: []\njobs:\n  a: { steps: [x] }\n"));
        Assert.Equal(
            [
                ".kiln.yml:1:11: 'schedule' needs cron lines (hint: write 'on: { schedule: [\"0 3 * * *\"] }')",
                ".kiln.yml:1:21: 'pusj' is not a trigger; triggers are push, pull_request, tag, manual, api, schedule (hint: did you mean 'push'?)",
                ".kiln.yml:1:27: 'on' lists 'api' more than once",
            ],
            Errors("on: [api, schedule, pusj, api]\njobs:\n  a: { steps: [x] }\n"));
        Assert.Equal(
            [
                ".kiln.yml:2:11: unknown key 'branch' in 'on.push' (hint: did you mean 'branches'?)",
                ".kiln.yml:3:3: unknown key 'pull-request' in 'on' (hint: did you mean 'pull_request'?)",
                ".kiln.yml:4:8: 'on.tag' must be a mapping like { tags: [...] }, not a list",
                ".kiln.yml:5:13: unknown key 'x' in 'on.manual'",
                ".kiln.yml:6:8: 'on.api' must be true or false, not 'yes'",
            ],
            Errors("on:\n  push: { branch: [main] }\n  pull-request: {}\n  tag: [v1]\n  manual: { x: 1 }\n  api: yes\njobs:\n  a: { steps: [x] }\n"));
    }

    [Fact]
    public void Schedule_lines_are_checked_each_at_its_place()
    {
        var errors = Errors("on:\n  schedule:\n    - 0 3 * * *\n    - 61 * * * *\n    - '* * *'\n    - 0 0 31 2-1 *\n    - 0 0 * * 8\n    - '*/0 * * * *'\njobs:\n  a: { steps: [x] }\n");

        Assert.Equal(
            [
                ".kiln.yml:4:7: '61 * * * *' is not a cron line: minute '61': values must be numbers from 0 to 59 (hint: write minute hour day-of-month month day-of-week, like \"0 3 * * *\")",
                ".kiln.yml:5:7: '* * *' is not a cron line: a cron line has 5 fields (minute hour day-of-month month day-of-week), not 3 (hint: write minute hour day-of-month month day-of-week, like \"0 3 * * *\")",
                ".kiln.yml:6:7: '0 0 31 2-1 *' is not a cron line: month '2-1': the range 2-1 runs backwards (hint: write minute hour day-of-month month day-of-week, like \"0 3 * * *\")",
                ".kiln.yml:7:7: '0 0 * * 8' is not a cron line: day of week '8': values must be numbers from 0 to 7 or SUN-SAT (hint: write minute hour day-of-month month day-of-week, like \"0 3 * * *\")",
                ".kiln.yml:8:7: '*/0 * * * *' is not a cron line: minute '*/0': the step after '/' must be a whole number from 1 (hint: write minute hour day-of-month month day-of-week, like \"0 3 * * *\")",
            ],
            errors);
    }

    [Fact]
    public void Input_rules()
    {
        const string Yaml = """
            inputs:
              1bad: {}
              target: { default: huge, options: [small, big] }
              level: { required: maybe, descripton: x }
              flat: just-a-string
              empty: { options: [] }
            jobs:
              a: { steps: [x] }
            """;

        Assert.Equal(
            [
                ".kiln.yml:2:3: input name '1bad' must start with a letter or '_' and hold only letters, digits, '_' and '-'",
                ".kiln.yml:3:22: the default 'huge' of input 'target' is not one of its options (small, big)",
                ".kiln.yml:4:22: 'required' must be true or false, not 'maybe'",
                ".kiln.yml:4:29: unknown key 'descripton' in input 'level' (hint: did you mean 'description'?)",
                ".kiln.yml:5:9: input 'flat' must be a mapping of settings (default, description, required, options), not a string",
                ".kiln.yml:6:21: 'options' is empty",
            ],
            Errors(Yaml));
        Assert.Equal(
            [".kiln.yml:1:20: inputs 'a-b' and 'A_B' would both be KILN_INPUT_A_B (hint: rename one of them)"],
            Errors("inputs: { a-b: {}, A_B: {} }\njobs:\n  a: { steps: [x] }\n"));
        Assert.Equal(
            [".kiln.yml:1:9: 'inputs' must be a mapping of names to settings, not a list (hint: write 'inputs: { target: { default: all } }')"],
            Errors("inputs: [a]\njobs:\n  a: { steps: [x] }\n"));
    }

    [Fact]
    public void Reports_all_errors_of_a_file_at_once()
    {
        const string Yaml = """
            on: { push: { branches: [main] }, schedule: ["bad"] }
            inputs: { x: { required: nope } }
            jobs:
              a:
                matrix: { shard: [] }
                retry: 99
                steps:
                  - run: x
                    if: sometimes
            """;

        Assert.Equal([(1, 46), (2, 26), (5, 22), (6, 12), (9, 13)], PipelineParser.Parse(Yaml).Errors.Select(e => (e.Line, e.Column)));
    }
}
