using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Faults;

/// <summary>
/// A loopback TCP proxy in front of a server that can play an outage: <see cref="GoDown"/> resets every open
/// connection and answers every new one with a reset until <see cref="ComeBack"/>, as a crashed or unreachable
/// server does. The server behind it keeps its data, so the test sees exactly what the outage did.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly int targetPort;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<long, (Socket Client, Socket Upstream)> connections = new();
    private readonly Task acceptLoop;
    private long nextConnection;
    private volatile bool down;
    private int refused;

    private TcpFaultProxy(int targetPort)
    {
        this.targetPort = targetPort;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public bool IsDown => down;

    /// <summary>Connections refused (reset at once) while down.</summary>
    public int Refused => Volatile.Read(ref refused);

    public static TcpFaultProxy Start(int targetPort) => new(targetPort);

    /// <summary>Cuts every open connection (RST) and refuses new ones until <see cref="ComeBack"/>.</summary>
    public void GoDown()
    {
        down = true;
        foreach (var (id, pair) in connections)
        {
            if (connections.TryRemove(id, out _))
            {
                Reset(pair.Client);
                Reset(pair.Upstream);
            }
        }
    }

    public void ComeBack() => down = false;

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        GoDown();
        try
        {
            await acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptSocketAsync(stopping.Token);
            if (down)
            {
                Interlocked.Increment(ref refused);
                Reset(client);
                continue;
            }

            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, targetPort, stopping.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Reset(client);
            upstream.Dispose();
            return;
        }

        var id = Interlocked.Increment(ref nextConnection);
        connections[id] = (client, upstream);
        if (down)
        {
            // The outage began while this one was connecting.
            connections.TryRemove(id, out _);
            Reset(client);
            Reset(upstream);
            return;
        }

        await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client));
        if (connections.TryRemove(id, out _))
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[81920];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    // An orderly end of one direction: pass it on, the other direction may still be talking.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side broke: so does the other, as it would without the proxy.
            Reset(from);
            Reset(to);
        }
    }

    /// <summary>Closes with linger 0: the peer gets a TCP reset, not an orderly end of stream.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
