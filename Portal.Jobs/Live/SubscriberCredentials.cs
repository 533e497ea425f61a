using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Portal.Jobs.Live;

/// <summary>
/// The subscriber's own login at the embedded broker: its client id as username and a random secret generated
/// on first use and kept in the spool directory (owner-only), so the broker and the subscriber agree even when
/// they run in different processes sharing the data directory.
/// </summary>
public sealed class SubscriberCredentials(IOptions<MqttOptions> options)
{
    private const string FileName = "subscriber.secret";
    private readonly Lazy<string> _secret = new(() => LoadOrCreate(options.Value.Subscriber.SpoolDir!));

    public string Username => options.Value.Subscriber.ClientId;
    public string Secret => _secret.Value;

    public bool Matches(string? username, string? password) =>
        username == Username && password is not null
        && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(Secret));

    private static string LoadOrCreate(string spoolDir)
    {
        Directory.CreateDirectory(spoolDir);
        var path = Path.Combine(spoolDir, FileName);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, fileOptions);
            using var writer = new StreamWriter(stream);
            writer.Write(secret);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return File.ReadAllText(path).Trim();
        }

        return secret;
    }
}
