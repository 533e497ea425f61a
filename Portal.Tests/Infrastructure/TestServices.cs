namespace Portal.Tests.Infrastructure;

/// <summary>
/// Addresses of the real servers that ./test.sh starts (scripts/test-services.sh writes them to
/// .test-services/env). A missing one fails the test with a clear message rather than skipping it.
/// </summary>
public static class TestServices
{
    public static string PostgresConnectionString => Require("PORTAL_TEST_POSTGRES");
    public static string S3Endpoint => Require("PORTAL_TEST_S3_ENDPOINT");
    public static string S3AccessKey => Require("PORTAL_TEST_S3_ACCESS_KEY");
    public static string S3SecretKey => Require("PORTAL_TEST_S3_SECRET_KEY");
    public static string AzureConnectionString => Require("PORTAL_TEST_AZURE");
    public static string MqttHost => Require("PORTAL_TEST_MQTT_HOST");
    public static int MqttPort => int.Parse(Require("PORTAL_TEST_MQTT_PORT"), System.Globalization.CultureInfo.InvariantCulture);
    public static string MosquittoDir => Require("PORTAL_TEST_MOSQUITTO_DIR");
    public static string ChromiumPath => Require("PORTAL_TEST_CHROMIUM");

    /// <summary>The shared/samples folder beside the repository (golden rides with ground truth).</summary>
    public static string SamplesDir
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "samples");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("shared/samples was not found beside the repository.");
        }
    }

    /// <summary>A fresh, empty PostgreSQL database for one test class; the name is unique per call.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using var connection = new Npgsql.NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        await command.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set: run the tests through ./test.sh, or `scripts/test-services.sh start` and `source .test-services/env` first.");
}
