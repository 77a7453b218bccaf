using System.Text;
using System.Text.RegularExpressions;

namespace Kiln.Cli.Init;

/// <summary>
/// The commented <c>.kiln.yml</c> that <c>kiln init</c> writes for a detected project. Each one
/// builds and tests the project the usual way for its kind and teaches the main keys through its
/// comments: <c>on</c>, <c>env</c>, <c>jobs</c>, <c>needs</c>, <c>steps</c>, <c>timeout</c>, and a
/// <c>matrix</c> or <c>cache</c> where one is natural. Keys whose effect is still to come are left
/// commented out.
/// </summary>
public static partial class StarterPipeline
{
    private const string Header = """
        # Kiln pipeline. Reference: docs/pipeline.md (every key, with examples).
        # Check it with `kiln validate`; editors can check it as you type with the JSON schema
        # the server serves at /api/v1/schema (see "Editor support" in docs/pipeline.md).

        # Which events build this pipeline. Without 'on': pushes to any branch, manual and API builds.
        on:
          push:
            branches: [main, "release/*"]   # globs; 'push:' alone means every branch
          pull_request: {}                  # pull requests to any branch
          manual: {}                        # the "Build now" button and `kiln build`
          api: {}                           # POST /api/v1/projects/{project}/builds

        """;

    private const string JobsComment = """
        # Each job runs in a fresh checkout of the commit, on one agent. Jobs without 'needs'
        # start at once and run in parallel; a job with 'needs' waits until those have succeeded.
        # A step is a command (run by bash -eo pipefail: it stops at the first failing command),
        # or a mapping with 'run' and optionally 'name', 'env', 'timeout'.
        """;

    public static string For(DetectedProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var body = project.Kind switch
        {
            ProjectKind.DotNet => DotNet(project),
            ProjectKind.Node => Node(project),
            ProjectKind.Go => Go,
            ProjectKind.Python => Python(project),
            ProjectKind.Rust => Rust,
            ProjectKind.Make => Make,
            _ => Generic,
        };
        var detected = project.Kind == ProjectKind.Generic
            ? "# Written by `kiln init`, which found no project files it knows: replace the steps below.\n"
            : $"# Written by `kiln init` for a {DetectedProject.KindName(project.Kind)} project ({project.Marker}).\n";
        return new StringBuilder()
            .Append(detected)
            .Append(Header.ReplaceLineEndings("\n"))
            .Append('\n')
            .Append(body.ReplaceLineEndings("\n"))
            .Append('\n')
            .ToString();
    }

    private static string DotNet(DetectedProject project)
    {
        var target = ShellWord(project.Marker!);
        return $"""
            # Variables for every step of every job ('env' is also allowed on a job and a step).
            env:
              CONFIGURATION: Release
              DOTNET_CLI_TELEMETRY_OPTOUT: "1"
              DOTNET_NOLOGO: "1"

            {JobsComment}
            jobs:
              build:
                timeout: 20m                      # the whole job, checkout included (90s, 20m, 1h30m)
                steps:
                  - {Yaml($"dotnet restore {target}")}
                  - name: compile
                    run: {Yaml($"dotnet build {target} --no-restore -c \"$CONFIGURATION\"")}
                # Keep NuGet packages from one build to the next (parsed; carried out by later work):
                # cache:
                #   key: nuget
                #   paths: [.nuget/packages]

              test:
                needs: [build]                    # starts once 'build' has succeeded
                timeout: 30m
                steps:
                  - name: unit tests
                    run: {Yaml($"dotnet test {target} -c \"$CONFIGURATION\"")}
                    timeout: 20m                  # a step may have its own timeout
            """;
    }

    private static string Node(DetectedProject project)
    {
        var (install, run, cacheVariable, cacheDirectory) = project.PackageManager switch
        {
            "pnpm" => ("pnpm install --frozen-lockfile", "pnpm run", "npm_config_store_dir", ".pnpm-store"),
            "yarn" => ("yarn install --frozen-lockfile", "yarn run", "YARN_CACHE_FOLDER", ".yarn-cache"),
            _ => ("npm ci", "npm run", "npm_config_cache", ".npm"),
        };
        var lint = project.Scripts.Contains("lint") ? $"\n      - {run} lint" : "";
        var build = project.Scripts.Contains("build") ? $"\n      - {run} build" : "";
        return $$"""
            env:
              CI: "true"
              {{cacheVariable}}: {{cacheDirectory}}       # keep the package manager's downloads in the workspace

            {{JobsComment}}
            jobs:
              build:
                timeout: 15m                      # the whole job, checkout included (90s, 20m, 1h30m)
                steps:
                  - {{install}}{{lint}}{{build}}
                # Keep the package cache from one build to the next (parsed; carried out by later work):
                # cache:
                #   key: {{project.PackageManager}}-deps
                #   paths: [{{cacheDirectory}}]

              test:
                needs: [build]                    # starts once 'build' has succeeded
                timeout: 20m
                steps:
                  - {{install}}
                  - name: tests
                    run: {{run}} test
                    timeout: 15m                  # a step may have its own timeout
            """;
    }

    private const string Go = $$"""
        env:
          CGO_ENABLED: "0"

        {{JobsComment}}
        jobs:
          test:
            timeout: 15m                        # the whole job, checkout included (90s, 20m, 1h30m)
            steps:
              - go vet ./...
              - go test ./...

          build:
            needs: [test]                       # starts once 'test' has succeeded
            # A matrix runs the job once per combination: 'build (goos=linux, goarch=amd64)', …
            # Steps see the values as $KILN_MATRIX_GOOS and $KILN_MATRIX_GOARCH; ${…} in 'env'
            # and 'name' is replaced by Kiln when the build is planned.
            matrix:
              goos: [linux, darwin, windows]
              goarch: [amd64, arm64]
            env:
              GOOS: ${KILN_MATRIX_GOOS}
              GOARCH: ${KILN_MATRIX_GOARCH}
            timeout: 15m
            steps:
              - go build ./...
        """;

    private static string Python(DetectedProject project)
    {
        var install = new StringBuilder();
        if (project.PythonFiles.Contains("requirements.txt"))
        {
            install.Append("\n      - .venv/bin/pip install -r requirements.txt");
        }

        if (project.PythonFiles.Contains("pyproject.toml") || project.PythonFiles.Contains("setup.py"))
        {
            install.Append("\n      - .venv/bin/pip install -e .");
        }

        return $"""
            env:
              PIP_DISABLE_PIP_VERSION_CHECK: "1"
              PIP_CACHE_DIR: .cache/pip           # keep pip's downloads in the workspace

            {JobsComment}
            jobs:
              test:
                timeout: 20m                      # the whole job, checkout included (90s, 20m, 1h30m)
                steps:
                  - python3 -m venv .venv{install}
                  - .venv/bin/pip install pytest
                  - name: tests
                    run: .venv/bin/python -m pytest
                    timeout: 15m                  # a step may have its own timeout
                # Keep pip's downloads from one build to the next (parsed; carried out by later work):
                # cache:
                #   key: pip
                #   paths: [.cache/pip]

              package:
                needs: [test]                     # starts once 'test' has succeeded
                timeout: 10m
                steps:
                  - python3 -m venv .venv
                  - .venv/bin/pip install build
                  - .venv/bin/python -m build
            """;
    }

    private const string Rust = $"""
        env:
          CARGO_TERM_COLOR: never
          RUST_BACKTRACE: "1"

        {JobsComment}
        jobs:
          build:
            timeout: 30m                        # the whole job, checkout included (90s, 20m, 1h30m)
            steps:
              - cargo build --all-targets
              - cargo test
            # Keep compiled dependencies from one build to the next (parsed; carried out by later work):
            # cache:
            #   key: cargo
            #   paths: [target]

          lint:
            allow-failure: true                 # a failing lint does not fail the build
            timeout: 15m
            steps:
              - cargo fmt --check
              - cargo clippy --all-targets -- -D warnings

          release:
            needs: [build, lint]                # starts once both have succeeded
            timeout: 30m
            steps:
              - cargo build --release
        """;

    private const string Make = $"""
        env:
          MAKEFLAGS: "-j4"

        {JobsComment}
        jobs:
          build:
            timeout: 20m                        # the whole job, checkout included (90s, 20m, 1h30m)
            steps:
              - make

          test:
            needs: [build]                      # starts once 'build' has succeeded
            timeout: 20m
            # To test several configurations, give the job a matrix; it then runs once per value
            # ('test (config=debug)', 'test (config=release)') with $KILN_MATRIX_CONFIG set:
            # matrix:
            #   config: [debug, release]
            steps:
              - make
              - name: tests
                run: make test
        """;

    private const string Generic = $"""
        # Variables for every step of every job ('env' is also allowed on a job and a step).
        env:
          GREETING: hello

        {JobsComment}
        jobs:
          build:
            timeout: 10m                        # the whole job, checkout included (90s, 20m, 1h30m)
            steps:
              - echo "$GREETING from build $KILN_BUILD_NUMBER of $KILN_PROJECT"
              - name: show what Kiln tells every step
                run: env | grep '^KILN_' | sort

          test:
            needs: [build]                      # starts once 'build' has succeeded
            # A matrix runs the job once per value: 'test (shard=1)', 'test (shard=2)', …
            matrix:
              shard: [1, 2, 3]
            steps:
              - echo "testing shard $KILN_MATRIX_SHARD"
        """;

    /// <summary>A word for the shell: as is when it is plain, else in single quotes.</summary>
    private static string ShellWord(string word) =>
        PlainShellWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A YAML scalar: plain when that is safe, else double-quoted.</summary>
    private static string Yaml(string text) =>
        PlainYaml().IsMatch(text) && !text.Contains(": ", StringComparison.Ordinal) && !text.Contains(" #", StringComparison.Ordinal)
            ? text
            : "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("^[A-Za-z0-9_.+@%,/=-]+$")]
    private static partial Regex PlainShellWord();

    [GeneratedRegex("^[A-Za-z0-9_./$][A-Za-z0-9_./ \"'$=+@%,-]*$")]
    private static partial Regex PlainYaml();
}
