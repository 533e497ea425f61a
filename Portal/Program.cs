using Portal.Api;
using Portal.Core.Analytics;
using Portal.Core.Hosting;
using Portal.Core.Storage;
using Portal.Hosting;
using Portal.Jobs.Hosting;
using Portal.Jobs.Live;
using Portal.Jobs.Pipeline;

var builder = WebApplication.CreateBuilder(args);

builder.AddPortalDefaults();
builder.AddCatalog();
builder.AddObjectStorage();
builder.AddRideAnalytics();
builder.AddPortalJobs();
builder.AddRidePipeline();
builder.AddLiveDevices();
builder.AddLiveView();
builder.AddPortalIdentity();
builder.AddPortalSecurity();
builder.AddPortalApi();
builder.AddPortalUi();
builder.AddPortalHealthChecks();

var app = builder.Build();

await app.InitializePortalAsync();

app.UsePortalPipeline();
app.MapPortalHealthChecks();
app.MapPortalApi();
app.MapRidePipelineApi();
app.MapDevicesApi();
app.MapDeviceProfilesApi();
app.MapHangfirePanel();
app.MapPortalUi();

await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
