using Xunit.Abstractions;
using Xunit.Sdk;

namespace Kiln.Data.Tests;

/// <summary>One persistence suite, two databases: a test class keeps its tests in an abstract base
/// (with <see cref="DatabaseFactAttribute"/> / <see cref="DatabaseTheoryAttribute"/>), and has one
/// sealed subclass per database: <c>…OnSqlite</c>, and <c>…OnPostgres</c> marked with this interface.
/// <see cref="TestDatabase.CreateAsync(object)"/> picks the database from the test class.</summary>
public interface IOnPostgres;

/// <summary>A fact of a two-database suite: on the PostgreSQL subclass it is skipped when no server is
/// configured (see <see cref="Kiln.Tests.TestPostgres"/>).</summary>
[XunitTestCaseDiscoverer("Kiln.Data.Tests.DatabaseFactDiscoverer", "Kiln.Data.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatabaseFactAttribute : FactAttribute;

/// <summary>A theory of a two-database suite; see <see cref="DatabaseFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("Kiln.Data.Tests.DatabaseTheoryDiscoverer", "Kiln.Data.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatabaseTheoryAttribute : TheoryAttribute;

internal static class DatabaseSkip
{
    /// <summary>xunit 2 decides skipping at discovery, from attributes alone; only here is the concrete
    /// test class known, so only here can a PostgreSQL subclass be told apart.</summary>
    public static string? For(ITestMethod method)
    {
        var onPostgres = typeof(IOnPostgres).IsAssignableFrom(method.TestClass.Class.ToRuntimeType());
        return onPostgres ? Kiln.Tests.TestPostgres.SkipReason : null;
    }

    public static IXunitTestCase Skipped(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod method, string reason) =>
        new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), method, reason);
}

public sealed class DatabaseFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink sink = diagnosticMessageSink;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        DatabaseSkip.For(testMethod) is { } reason
            ? [DatabaseSkip.Skipped(sink, discoveryOptions, testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

public sealed class DatabaseTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink sink = diagnosticMessageSink;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        DatabaseSkip.For(testMethod) is { } reason
            ? [DatabaseSkip.Skipped(sink, discoveryOptions, testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}
