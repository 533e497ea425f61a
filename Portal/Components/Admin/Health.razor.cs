using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor;

namespace Portal.Components.Admin;

/// <summary>Runs every registered health check on demand and shows the report.</summary>
public sealed partial class Health
{
    private HealthReport? report;

    [Inject]
    private HealthCheckService HealthChecks { get; set; } = default!;

    protected override Task OnInitializedAsync() => RefreshAsync();

    private async Task RefreshAsync()
    {
        report = null;
        report = await HealthChecks.CheckHealthAsync();
    }

    private static Severity SeverityOf(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => Severity.Success,
        HealthStatus.Degraded => Severity.Warning,
        _ => Severity.Error,
    };

    private static Color ColorOf(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => Color.Success,
        HealthStatus.Degraded => Color.Warning,
        _ => Color.Error,
    };
}
