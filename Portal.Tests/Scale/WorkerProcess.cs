using System.Collections.Concurrent;
using System.Diagnostics;

namespace Portal.Tests.Scale;

/// <summary>
/// One built <c>Portal.Jobs.dll</c> run as a worker host (no arguments) in its own process, configured only by
/// environment variables, with its console output kept for the assertions.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly string workingDirectory;

    private WorkerProcess(Process process, string workingDirectory)
    {
        this.process = process;
        this.workingDirectory = workingDirectory;
    }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public IReadOnlyCollection<string> Output => output;

    public static WorkerProcess Start(string name, IReadOnlyDictionary<string, string> environment) =>
        Start(name, WorkerArguments(), environment);

    /// <summary>Any built .NET program of the solution (e.g. the portal's <c>Portal.dll</c>) run the same way.</summary>
    public static WorkerProcess Start(string name, IReadOnlyList<string> dotnetArguments, IReadOnlyDictionary<string, string> environment)
    {
        // Its own empty working directory: no appsettings.json or data folder is picked up by accident.
        var workingDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", $"worker-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workingDirectory);
        var start = new ProcessStartInfo(DotnetHost(), dotnetArguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Embedded__DataDir"] = Path.Combine(workingDirectory, "data");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, workingDirectory);
        process.OutputDataReceived += (_, line) => worker.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => worker.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL: no shutdown, no flushing, jobs stay fetched — a lost machine.</summary>
    public void KillHard() => process.Kill(entireProcessTree: true);

    /// <summary>SIGKILL to the process alone, at once (no walk of its process tree first): for a kill timed to the millisecond.</summary>
    public void KillHardNow() => process.Kill();

    /// <summary>SIGTERM and wait for the host's graceful shutdown, so its log is complete.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }

        // The output events may trail the exit a little.
        process.WaitForExit();
    }

    public string Describe() => $"worker pid {ProcessId}{(process.HasExited ? $" (exited {process.ExitCode})" : "")}:\n{string.Join('\n', output.TakeLast(40))}";

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        process.Dispose();
        try
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    /// <summary>The dotnet executable that runs the tests (set by the dotnet CLI), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// <c>dotnet Portal.Jobs.dll</c> from the Portal.Jobs project's own output of this configuration, as production
    /// runs it. Failing that, the copy beside the tests (the project reference) run with the tests' dependency
    /// manifest, because its own manifest expects packages the test output takes from the ASP.NET framework instead.
    /// </summary>
    public static IReadOnlyList<string> WorkerArguments()
    {
        var here = AppContext.BaseDirectory;
        var separator = Path.DirectorySeparatorChar;
        var projectOutput = Path.Combine(here.Replace($"{separator}Portal.Tests{separator}", $"{separator}Portal.Jobs{separator}", StringComparison.Ordinal), "Portal.Jobs.dll");
        if (File.Exists(projectOutput))
        {
            return [projectOutput];
        }

        var beside = Path.Combine(here, "Portal.Jobs.dll");
        return File.Exists(beside)
            ? ["exec", "--runtimeconfig", Path.Combine(here, "Portal.Tests.runtimeconfig.json"), "--depsfile", Path.Combine(here, "Portal.Tests.deps.json"), beside]
            : throw new InvalidOperationException($"Portal.Jobs.dll was found neither at {projectOutput} nor beside the tests in {here}: build the solution first.");
    }
}
