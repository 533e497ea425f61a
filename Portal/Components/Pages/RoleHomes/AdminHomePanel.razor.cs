using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Components.Pages.RoleHomes;

/// <summary>The admin's home: jobs, workers, health of broker, storage and database, recent errors, users awaiting approval.</summary>
public sealed partial class AdminHomePanel
{
    private AdminHomeData? data;

    [Inject] private AdminHomeService Service { get; set; } = default!;

    protected override async Task OnInitializedAsync() => data = await Service.ReadAsync(CancellationToken.None);

    private static string StatusClass(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "portal-ok",
        HealthStatus.Degraded => "portal-warn",
        _ => "portal-bad",
    };
}
