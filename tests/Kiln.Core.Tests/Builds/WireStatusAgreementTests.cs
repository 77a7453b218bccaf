using Kiln.Contracts;
using Kiln.Core.Builds;

namespace Kiln.Core.Tests.Builds;

/// <summary>Kiln.Contracts' <see cref="WireStatus"/> (what the agent and clients send) and Core's
/// <see cref="StatusNames"/> (what the server parses and stores) name the same statuses, in the same order.</summary>
public sealed class WireStatusAgreementTests
{
    [Fact]
    public void Build_statuses_agree() =>
        Assert.Equal(Enum.GetValues<BuildStatus>().Select(StatusNames.ToWire), WireStatus.BuildStatuses);

    [Fact]
    public void Job_statuses_agree() =>
        Assert.Equal(Enum.GetValues<JobStatus>().Select(StatusNames.ToWire), WireStatus.JobStatuses);

    [Fact]
    public void Step_statuses_agree() =>
        Assert.Equal(Enum.GetValues<StepStatus>().Select(StatusNames.ToWire), WireStatus.StepStatuses);

    [Fact]
    public void Every_constant_is_a_status_of_something_and_parses_as_such()
    {
        string[] constants =
        [
            WireStatus.Waiting, WireStatus.Manual, WireStatus.Pending, WireStatus.Queued, WireStatus.Running, WireStatus.Succeeded,
            WireStatus.Failed, WireStatus.Canceled, WireStatus.TimedOut, WireStatus.Lost, WireStatus.Skipped, WireStatus.Error,
        ];

        Assert.Equal(constants.Order(StringComparer.Ordinal), WireStatus.BuildStatuses.Concat(WireStatus.JobStatuses).Concat(WireStatus.StepStatuses).Distinct().Order(StringComparer.Ordinal));
        Assert.All(WireStatus.BuildStatuses, s => Assert.True(StatusNames.TryParseBuild(s, out _), s));
        Assert.All(WireStatus.JobStatuses, s => Assert.True(StatusNames.TryParseJob(s, out _), s));
        Assert.All(WireStatus.StepStatuses, s => Assert.True(StatusNames.TryParseStep(s, out _), s));
    }
}
