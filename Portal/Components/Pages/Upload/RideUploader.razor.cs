using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Upload;

/// <summary>
/// Drop zone, file picker and one row per file. The browser module sends each file to the resumable
/// upload API and reports progress here (a few times a second); once a ride exists, its analysis
/// status is read from the catalog until it is analysed or failed.
/// </summary>
public sealed partial class RideUploader : IAsyncDisposable
{
    public const string ModulePath = "./Components/Pages/Upload/RideUploader.razor.js";

    /// <summary>Chunk size the browser sends per request (capped by the server's part limit).</summary>
    public const long PreferredChunkBytes = 8L << 20;

    private static readonly TimeSpan StatusPollInterval = TimeSpan.FromSeconds(1);

    private readonly string instanceId = Guid.NewGuid().ToString("N");
    private readonly List<UploadItem> items = [];
    private readonly CancellationTokenSource disposed = new();
    private ElementReference dropZone;
    private ElementReference fileInput;
    private IJSObjectReference? module;
    private DotNetObjectReference<RideUploader>? selfReference;
    private Task? statusWatch;
    private Guid? defaultRiderId;
    private bool defaultRiderChosen;

    /// <summary>The browser module listens for files (browser tests wait for it).</summary>
    private bool ready;

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IOptions<UploadOptions> UploadLimits { get; set; } = default!;
    [Inject] private IOptions<AntiforgeryOptions> AntiforgerySettings { get; set; } = default!;
    [Inject] private AntiforgeryStateProvider Antiforgery { get; set; } = default!;
    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<RideUploader> Logger { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The riders the caller may upload for; the first is the default.</summary>
    [Parameter, EditorRequired] public IReadOnlyList<UploadRider> Riders { get; set; } = [];

    /// <summary>Bulk mode: each file gets its own rider select and waits for "Upload"; otherwise files start at once.</summary>
    [Parameter] public bool AssignPerFile { get; set; }

    /// <summary>Show the rider select even when there is a single choice (on-behalf uploads say whose ride it is).</summary>
    [Parameter] public bool ShowRiderChoice { get; set; }

    [Parameter] public RideSource Source { get; set; } = RideSource.Web;

    public IReadOnlyList<UploadItem> Items => items;

    private long MaxFileBytes => UploadLimits.Value.MaxFileBytes;

    private string LimitText => UploadTooLargeException.FormatBytes(MaxFileBytes);

    private Guid? DefaultRider => defaultRiderChosen ? defaultRiderId : Riders.Count > 0 ? Riders[0].Id : null;

    private bool ShowsRiderSelect => AssignPerFile || ShowRiderChoice || Riders.Count > 1;

    private int WaitingCount => items.Count(i => i.Phase == UploadPhase.Waiting && !IsQueued(i));

    private readonly HashSet<string> queued = new(StringComparer.Ordinal);

    private bool IsQueued(UploadItem item) => queued.Contains(item.Key);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        selfReference = DotNetObjectReference.Create(this);
        module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
        var token = Antiforgery.GetAntiforgeryToken();
        await module.InvokeVoidAsync("init", instanceId, selfReference, dropZone, fileInput, new
        {
            chunkBytes = Math.Min(PreferredChunkBytes, UploadLimits.Value.MaxPartBytes),
            antiforgeryHeader = AntiforgerySettings.Value.HeaderName,
            antiforgeryToken = token?.Value,
        });
        ready = true;
        StateHasChanged();
    }

    /// <summary>The browser announces picked or dropped files; too large ones are refused before a byte is sent.</summary>
    [JSInvokable]
    public async Task FilesPicked(IReadOnlyList<PickedFile> files)
    {
        var toStart = new List<UploadItem>();
        foreach (var file in files)
        {
            var item = new UploadItem(file, DefaultRider);
            items.Add(item);
            if (file.Size > MaxFileBytes)
            {
                item.Phase = UploadPhase.TooLarge;
                item.ErrorCode = UploadErrorCodes.FileTooLarge;
                item.ErrorMessage = $"{UploadTooLargeException.FormatBytes(file.Size)} is more than the limit of {LimitText}.";
                await CallModuleAsync("forget", item.Key);
            }
            else if (file.Size == 0)
            {
                item.Phase = UploadPhase.Refused;
                item.ErrorCode = UploadErrorCodes.EmptyFile;
                item.ErrorMessage = "The file is empty.";
                await CallModuleAsync("forget", item.Key);
            }
            else if (!AssignPerFile)
            {
                toStart.Add(item);
            }
        }

        foreach (var item in toStart)
        {
            await StartAsync(item);
        }

        StateHasChanged();
    }

    [JSInvokable]
    public void Progress(string key, long sentBytes, double bytesPerSecond)
    {
        if (Find(key) is not { } item || !item.IsTransferring && item.Phase != UploadPhase.Waiting)
        {
            return;
        }

        item.Phase = UploadPhase.Uploading;
        item.SentBytes = Math.Clamp(sentBytes, 0, item.Size);
        item.BytesPerSecond = bytesPerSecond;
        item.ResumeAttempt = 0;
        StateHasChanged();
    }

    [JSInvokable]
    public void Resuming(string key, int attempt)
    {
        if (Find(key) is not { } item || !item.IsTransferring && item.Phase != UploadPhase.Waiting)
        {
            return;
        }

        item.Phase = UploadPhase.Resuming;
        item.ResumeAttempt = attempt;
        item.BytesPerSecond = 0;
        StateHasChanged();
    }

    [JSInvokable]
    public void Completed(string key, UploadOutcome outcome)
    {
        if (Find(key) is not { } item || item.Phase is UploadPhase.Cancelled)
        {
            return;
        }

        queued.Remove(key);
        item.Phase = outcome.Duplicate ? UploadPhase.Duplicate : UploadPhase.Uploaded;
        item.SentBytes = item.Size;
        item.RideId = outcome.RideId;
        item.RideStatus = Enum.TryParse<RideStatus>(outcome.Status, ignoreCase: true, out var status) ? status : RideStatus.Queued;
        item.RideProgressPercent = outcome.ProgressPercent;
        item.FailureCode = outcome.FailureCode;
        item.FailureMessage = outcome.FailureMessage;
        if (item.AwaitsAnalysis)
        {
            statusWatch ??= WatchRideStatusAsync(disposed.Token);
        }

        StateHasChanged();
    }

    [JSInvokable]
    public void Refused(string key, string code, string message)
    {
        if (Find(key) is not { } item || item.Phase is UploadPhase.Cancelled)
        {
            return;
        }

        queued.Remove(key);
        item.Phase = UploadPhase.Refused;
        item.ErrorCode = code;
        item.ErrorMessage = message;
        StateHasChanged();
    }

    private async Task StartAsync(UploadItem item)
    {
        if (item.RiderId is not { } riderId)
        {
            item.Phase = UploadPhase.Refused;
            item.ErrorCode = PipelineProblems.RiderNotAllowed;
            item.ErrorMessage = "Choose the rider this file belongs to.";
            return;
        }

        queued.Add(item.Key);
        await CallModuleAsync("start", item.Key, riderId.ToString(), Source.ToString());
    }

    private async Task StartWaitingAsync()
    {
        foreach (var item in items.Where(i => i.Phase == UploadPhase.Waiting && !IsQueued(i)).ToList())
        {
            await StartAsync(item);
        }
    }

    private async Task CancelAsync(UploadItem item)
    {
        if (!item.IsCancellable)
        {
            return;
        }

        item.Phase = UploadPhase.Cancelled;
        item.BytesPerSecond = 0;
        queued.Remove(item.Key);
        await CallModuleAsync("cancel", item.Key);
    }

    private void Remove(UploadItem item)
    {
        if (!item.IsCancellable)
        {
            items.Remove(item);
        }
    }

    private void ClearFinished() =>
        items.RemoveAll(i => i.Phase is UploadPhase.Cancelled or UploadPhase.Refused or UploadPhase.TooLarge
            || (i.Phase is UploadPhase.Uploaded or UploadPhase.Duplicate && !i.AwaitsAnalysis));

    private void ChooseDefaultRider(Guid? riderId)
    {
        defaultRiderChosen = true;
        defaultRiderId = riderId;
        foreach (var item in items.Where(i => i.Phase == UploadPhase.Waiting && !IsQueued(i)))
        {
            item.RiderId = riderId;
        }
    }

    private static void ChooseRider(UploadItem item, Guid? riderId) => item.RiderId = riderId;

    /// <summary>Reads the status of the rides still queued or processing once a second until none is left.</summary>
    private async Task WatchRideStatusAsync(CancellationToken cancellationToken)
    {
        var caller = (await AuthenticationState).User.ToRideCaller();
        if (caller is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(StatusPollInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                List<Guid> pending = [];
                await InvokeAsync(() =>
                {
                    pending = items.Where(i => i.AwaitsAnalysis).Select(i => i.RideId!.Value).Distinct().ToList();
                    if (pending.Count == 0)
                    {
                        // Decided on the renderer's thread, so a ride completing now starts a new watch.
                        statusWatch = null;
                    }
                });
                if (pending.Count == 0)
                {
                    return;
                }

                List<RideProgress> rides;
                try
                {
                    await using var db = await Catalog.CreateDbContextAsync(cancellationToken);
                    rides = await db.Rides.AsNoTracking().VisibleTo(db, caller)
                        .Where(r => pending.Contains(r.Id))
                        .Select(r => new RideProgress(r.Id, r.Status, r.ProgressPercent, r.FailureCode, r.FailureMessage))
                        .ToListAsync(cancellationToken);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // A database hiccup: show the last known status and try again on the next tick.
                    Logger.LogWarning(failure, "Reading the status of uploaded rides failed");
                    continue;
                }

                await InvokeAsync(() =>
                {
                    foreach (var ride in rides)
                    {
                        foreach (var item in items.Where(i => i.RideId == ride.Id))
                        {
                            item.RideStatus = ride.Status;
                            item.RideProgressPercent = ride.ProgressPercent;
                            item.FailureCode = ride.FailureCode;
                            item.FailureMessage = ride.FailureMessage;
                        }
                    }

                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page closed.
        }
    }

    private async Task CallModuleAsync(string function, params object?[] args)
    {
        if (module is null)
        {
            return;
        }

        try
        {
            await module.InvokeVoidAsync(function, [instanceId, .. args]);
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone; nothing to tell it.
        }
    }

    private UploadItem? Find(string key) => items.FirstOrDefault(i => i.Key == key);

    private string RiderLabel(Guid? riderId) => Riders.FirstOrDefault(r => r.Id == riderId)?.Label ?? "—";

    private static string FormatSize(long bytes) => UploadTooLargeException.FormatBytes(bytes);

    /// <summary>One line saying where the file stands; what went wrong is shown apart by <see cref="ProblemOf"/>.</summary>
    public static string StatusOf(UploadItem item) => item.Phase switch
    {
        UploadPhase.Waiting => "Waiting",
        UploadPhase.TooLarge => "Too large: not sent",
        UploadPhase.Uploading => "Uploading",
        UploadPhase.Resuming => $"Connection lost: resuming where the server stopped (attempt {item.ResumeAttempt})",
        UploadPhase.Cancelled => "Cancelled",
        UploadPhase.Refused => "Rejected",
        UploadPhase.Duplicate => $"Already uploaded: {RideStatusText(item)}",
        UploadPhase.Uploaded => RideStatusText(item),
        _ => item.Phase.ToString(),
    };

    /// <summary>The rejection (upload refused, or the ride's analysis failed) with its stable code; null when there is none.</summary>
    public static (string Message, string Code)? ProblemOf(UploadItem item) => item switch
    {
        { Phase: UploadPhase.TooLarge or UploadPhase.Refused } => (item.ErrorMessage ?? "The upload was refused.", item.ErrorCode ?? "upload_refused"),
        { RideStatus: RideStatus.Failed } => (item.FailureMessage ?? "The ride could not be analysed.", item.FailureCode ?? "analysis_failed"),
        _ => null,
    };

    private static string RideStatusText(UploadItem item) => item.RideStatus switch
    {
        RideStatus.Queued => "Queued for analysis",
        RideStatus.Processing => $"Processing {item.RideProgressPercent} %",
        RideStatus.Analyzed => "Analysed",
        RideStatus.Failed => "Rejected by the analysis",
        _ => "Uploaded",
    };

    private static string FormatSpeed(double bytesPerSecond) =>
        bytesPerSecond <= 0 ? "—" : $"{UploadTooLargeException.FormatBytes((long)bytesPerSecond)}/s";

    private static string FormatTimeLeft(TimeSpan? left) => left switch
    {
        null => "—",
        { TotalHours: >= 1 } t => string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:00} min left"),
        { TotalMinutes: >= 1 } t => string.Create(CultureInfo.InvariantCulture, $"{t.Minutes} min {t.Seconds:00} s left"),
        { } t => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (int)Math.Ceiling(t.TotalSeconds))} s left"),
    };

    private sealed record RideProgress(Guid Id, RideStatus Status, int ProgressPercent, string? FailureCode, string? FailureMessage);

    public async ValueTask DisposeAsync()
    {
        await disposed.CancelAsync();
        if (module is not null)
        {
            try
            {
                await module.InvokeVoidAsync("dispose", instanceId);
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit ended with the browser.
            }
        }

        selfReference?.Dispose();
        if (statusWatch is { } watch)
        {
            await watch;
        }

        disposed.Dispose();
    }
}
