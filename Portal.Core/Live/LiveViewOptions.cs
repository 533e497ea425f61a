using Microsoft.Extensions.Options;

namespace Portal.Core.Live;

/// <summary>The <c>LiveView</c> configuration section (docs/live-devices.md).</summary>
public sealed class LiveViewOptions
{
    public const string Section = "LiveView";

    /// <summary>How many seconds of a device's stream the charts show (and the portal keeps per watched device).</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Most samples kept per watched device, whatever its rate.</summary>
    public int MaxSamplesPerDevice { get; set; } = 30_000;

    /// <summary>A device counts as online when it was seen (registry last-seen, or a message to the live view) this recently.</summary>
    public int OnlineSeconds { get; set; } = 30;

    /// <summary>A gap in the samples longer than this starts a new session; keep it equal to <c>Mqtt:Subscriber:IdleTimeoutSeconds</c>.</summary>
    public int SessionIdleSeconds { get; set; } = 60;
}

public sealed class LiveViewOptionsValidator : IValidateOptions<LiveViewOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveViewOptions options)
    {
        var failures = new List<string>();
        if (options.WindowSeconds is < 5 or > 600)
        {
            failures.Add($"{LiveViewOptions.Section}:{nameof(LiveViewOptions.WindowSeconds)} must be between 5 and 600 (was {options.WindowSeconds}).");
        }

        if (options.MaxSamplesPerDevice is < 100 or > 1_000_000)
        {
            failures.Add($"{LiveViewOptions.Section}:{nameof(LiveViewOptions.MaxSamplesPerDevice)} must be between 100 and 1000000 (was {options.MaxSamplesPerDevice}).");
        }

        if (options.OnlineSeconds is < 5 or > 3600)
        {
            failures.Add($"{LiveViewOptions.Section}:{nameof(LiveViewOptions.OnlineSeconds)} must be between 5 and 3600 (was {options.OnlineSeconds}).");
        }

        if (options.SessionIdleSeconds < 1)
        {
            failures.Add($"{LiveViewOptions.Section}:{nameof(LiveViewOptions.SessionIdleSeconds)} must be at least 1 (was {options.SessionIdleSeconds}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
