using Portal.Jobs.Hosting;

namespace Portal.Tests.Scale;

[Trait("Category", "Scale")]
public sealed class InvisibilityTimeoutOptionsTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(0)]
    [InlineData(86_401)]
    public void InvisibilityTimeout_IsRefused_OutsideFiveSecondsToOneDay(int seconds)
    {
        var result = new HangfireOptionsValidator().Validate(null, new HangfireOptions { InvisibilityTimeoutSeconds = seconds });

        Assert.True(result.Failed);
        Assert.Contains($"Hangfire:InvisibilityTimeoutSeconds must be between 5 and 86400 (was {seconds}).", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(300)]
    [InlineData(86_400)]
    public void InvisibilityTimeout_IsAccepted_InsideItsRange(int seconds)
    {
        var result = new HangfireOptionsValidator().Validate(null, new HangfireOptions { InvisibilityTimeoutSeconds = seconds });

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
