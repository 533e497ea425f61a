using Microsoft.AspNetCore.Components;
using Portal.Core.Devices;

namespace Portal.Components.Pages.Devices;

/// <summary>The devices the caller may manage, with their online state, counters and actions.</summary>
public sealed partial class DeviceTable
{
    [Parameter, EditorRequired] public IReadOnlyList<DeviceView> Devices { get; set; } = [];

    /// <summary>The time "online" is judged against.</summary>
    [Parameter, EditorRequired] public DateTimeOffset Now { get; set; }

    [Parameter] public EventCallback<DeviceView> Rotate { get; set; }

    [Parameter] public EventCallback<DeviceView> Disable { get; set; }
}
