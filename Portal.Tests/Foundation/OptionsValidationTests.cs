using Microsoft.Extensions.Options;
using Portal.Core.Hosting;
using Portal.Identity;
using Portal.Jobs.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Foundation;

[Trait("Category", "Foundation")]
public sealed class OptionsValidationTests
{
    private static string Failure<T>(IValidateOptions<T> validator, T options)
        where T : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        Assert.True(result.Failed, "the options should have been refused");
        return result.FailureMessage;
    }

    [Fact]
    public void EmbeddedDataDir_IsRequired()
    {
        Assert.Contains("Embedded:DataDir", Failure(new EmbeddedOptionsValidator(), new EmbeddedOptions { DataDir = " " }));
    }

    [Fact]
    public void PostgreSqlDatabase_WithoutConnectionString_NamesConnectionStringsPortal()
    {
        var message = Failure(new DatabaseOptionsValidator(), new DatabaseOptions { Provider = DatabaseProvider.PostgreSql });
        Assert.Contains("ConnectionStrings:Portal", message);
        Assert.Contains("Database:Provider", message);
    }

    [Fact]
    public void UnknownDatabaseProvider_NamesDatabaseProvider()
    {
        Assert.Contains("Database:Provider", Failure(new DatabaseOptionsValidator(), new DatabaseOptions { Provider = (DatabaseProvider)7 }));
    }

    [Fact]
    public void MalformedPortalConnectionString_NamesConnectionStringsPortal()
    {
        Assert.Contains("ConnectionStrings:Portal", Failure(new DatabaseOptionsValidator(), new DatabaseOptions { ConnectionString = "not a connection string" }));
    }

    [Fact]
    public void DefaultDatabaseOptions_AreValid()
    {
        Assert.True(new DatabaseOptionsValidator().Validate(null, new DatabaseOptions()).Succeeded);
    }

    [Fact]
    public void PostgreSqlHangfire_WithoutConnectionString_NamesConnectionStringsHangfire()
    {
        var message = Failure(new HangfireOptionsValidator(), new HangfireOptions { Storage = HangfireStorageKind.PostgreSql });
        Assert.Contains("ConnectionStrings:Hangfire", message);
        Assert.Contains("Hangfire:Storage", message);
    }

    [Fact]
    public void UnknownHangfireStorage_NamesHangfireStorage()
    {
        Assert.Contains("Hangfire:Storage", Failure(new HangfireOptionsValidator(), new HangfireOptions { Storage = (HangfireStorageKind)9 }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(100_000)]
    public void OutOfRangeWorkerCount_NamesHangfireServerWorkers(int workers)
    {
        var options = new HangfireOptions { Server = new HangfireServerOptions { Workers = workers } };
        Assert.Contains("Hangfire:Server:Workers", Failure(new HangfireOptionsValidator(), options));
    }

    [Fact]
    public void InvalidQueueName_NamesItsIndex()
    {
        var options = new HangfireOptions { Server = new HangfireServerOptions { Queues = ["crash", "Ride Analysis"] } };
        Assert.Contains("Hangfire:Server:Queues:1", Failure(new HangfireOptionsValidator(), options));
    }

    [Fact]
    public void HangfireServerDefaults_UseEveryProcessorAndTheFourQueues()
    {
        var server = new HangfireServerOptions();
        Assert.Equal(Environment.ProcessorCount, server.EffectiveWorkers);
        Assert.Equal(["crash", "analytics", "default", "maintenance"], server.EffectiveQueues);
        Assert.True(server.Enabled);
    }

    [Fact]
    public void ShortDemoPassword_NamesDemoPassword()
    {
        Assert.Contains("Demo:Password", Failure(new DemoOptionsValidator(), new DemoOptions { Seed = true, Password = "short" }));
    }

    [Theory]
    [InlineData("Hangfire:Server:Workers", "0", "Hangfire:Server:Workers")]
    [InlineData("Database:Provider", "Oracle", "Database:Provider")]
    [InlineData("Hangfire:Storage", "Redis", "Hangfire:Storage")]
    [InlineData("Demo:Password", "tooshort", "Demo:Password")]
    public void Host_RefusesToStart_NamingTheWrongKey(string key, string value, string namedKey)
    {
        using var factory = new PortalFactory().WithSetting(key, value);
        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(namedKey, Flatten(exception));
    }

    private static string Flatten(Exception exception) =>
        exception is AggregateException aggregate
            ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(Flatten))
            : exception.Message + (exception.InnerException is { } inner ? " | " + Flatten(inner) : "");
}
