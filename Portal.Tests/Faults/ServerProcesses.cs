using System.Diagnostics;
using System.Net.Sockets;
using Portal.Tests.Live;

namespace Portal.Tests.Faults;

/// <summary>Runs the command-line tools that start and stop the test's own servers.</summary>
internal static class ServerCommands
{
    /// <summary>Runs a program to its end; fails the test with its output when it exits non-zero or hangs.</summary>
    public static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan patience)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {patience}.");
        }

        var output = await stdout + await stderr;
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
    }

    /// <summary>Waits until something accepts TCP connections on the loopback port.</summary>
    public static async Task WaitForPortAsync(int port, TimeSpan patience, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < patience)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} after {patience}. {describe()}");
            }
        }
    }
}

/// <summary>The test's own moto S3 emulator on a free loopback port (never the shared one).</summary>
public sealed class MotoServer : IAsyncDisposable
{
    private readonly Process process;

    private MotoServer(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<MotoServer> StartAsync()
    {
        var port = LiveTestPorts.FreeLoopbackPort();
        var start = new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start (install it with `pip install 'moto[server]'`).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var moto = new MotoServer(process, port);
        await ServerCommands.WaitForPortAsync(port, TimeSpan.FromSeconds(60), () => process.HasExited ? $"moto_server exited with {process.ExitCode}." : "");
        return moto;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}

/// <summary>
/// A throwaway PostgreSQL 15 cluster of the test's own (initdb into a temp directory, trust authentication,
/// loopback only), so the test may restart it without disturbing anyone. As root the server runs as the
/// <c>postgres</c> user, as scripts/test-services.sh does; PORTAL_TEST_PG_BIN overrides the binaries' folder.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string DefaultBin = "/usr/lib/postgresql/15/bin";

    private readonly string directory;

    private PostgresCluster(string directory, int port)
    {
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(directory, "data");

    private string LogFile => Path.Combine(directory, "server.log");

    private static string Bin => Environment.GetEnvironmentVariable("PORTAL_TEST_PG_BIN") is { Length: > 0 } bin ? bin : DefaultBin;

    private static bool RunsAsRoot => Environment.UserName == "root";

    public static async Task<PostgresCluster> StartAsync(int maxConnections = 200)
    {
        var directory = Path.Combine(Path.GetTempPath(), "portal-tests", $"pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var cluster = new PostgresCluster(directory, LiveTestPorts.FreeLoopbackPort());
        if (RunsAsRoot)
        {
            await ServerCommands.RunAsync("chown", ["postgres:postgres", directory], TimeSpan.FromSeconds(10));
        }

        await cluster.RunAsync("initdb", $"-D '{cluster.DataDirectory}' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync", TimeSpan.FromMinutes(2));
        await cluster.RunAsync("pg_ctl", $"-D '{cluster.DataDirectory}' -l '{cluster.LogFile}' -w -t 60 "
            + $"-o \"-p {cluster.Port} -k '{directory}' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections={maxConnections}\" start", TimeSpan.FromMinutes(1));
        return cluster;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true";

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// <c>pg_ctl restart -m fast</c>: every session is terminated, the server stops and starts again with the
    /// same options; returns once it accepts connections again.
    /// </summary>
    public Task RestartAsync() =>
        RunAsync("pg_ctl", $"-D '{DataDirectory}' -l '{LogFile}' -m fast -w -t 60 restart", TimeSpan.FromMinutes(1));

    public string ServerLog() => File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(30)) : "";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("pg_ctl", $"-D '{DataDirectory}' -m immediate -w stop", TimeSpan.FromMinutes(1));
        }
        catch (InvalidOperationException)
        {
            // Not running.
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task<string> RunAsync(string tool, string arguments, TimeSpan patience)
    {
        var command = $"{Path.Combine(Bin, tool)} {arguments}";
        return RunsAsRoot
            ? ServerCommands.RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", command], patience)
            : ServerCommands.RunAsync("/bin/sh", ["-c", command], patience);
    }
}
