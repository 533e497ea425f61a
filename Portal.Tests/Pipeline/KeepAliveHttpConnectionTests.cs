using System.Net;
using System.Net.Sockets;
using System.Text;
using Portal.Jobs.CommandLine;

namespace Portal.Tests.Pipeline;

/// <summary>
/// The load command's minimal HTTP/1.1 client reads every answer to its last byte, so the next answer on the same
/// connection starts where it should: Content-Length bodies, chunked bodies (with an extension and a trailer), errors.
/// </summary>
[Trait("Category", "Pipeline")]
public sealed class KeepAliveHttpConnectionTests
{
    [Fact]
    public async Task Answers_OnOneConnection_AreReadWhole_WhateverTheirFraming()
    {
        string[] answers =
        [
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4;name=value\r\nwiki\r\n10\r\n" + new string('x', 16) + "\r\n0\r\nX-Trailer: 1\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "HTTP/1.1 201 Created\r\ncontent-length: 3\r\n\r\nend",
        ];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var requests = new List<string>();
        var server = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            var stream = accepted.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            foreach (var answer in answers)
            {
                var head = new StringBuilder();
                string? line;
                while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                {
                    head.AppendLine(line);
                }

                requests.Add(head.ToString());
                // Sent in two pieces, so the client must wait for the rest of an answer.
                var bytes = Encoding.ASCII.GetBytes(answer);
                await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await stream.FlushAsync();
                await Task.Delay(10);
                await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
                await stream.FlushAsync();
            }
        });

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var connection = await KeepAliveHttpConnection.OpenAsync(new Uri($"http://127.0.0.1:{port}/"), "the-token", CancellationToken.None);
        var statuses = new List<int>();
        for (var i = 0; i < answers.Length; i++)
        {
            statuses.Add(await connection.GetAsync($"/api/rides?page={i}", CancellationToken.None));
        }

        await server;
        Assert.Equal([200, 200, 404, 200, 201], statuses);
        Assert.All(requests, request => Assert.Contains("Authorization: Bearer the-token", request, StringComparison.Ordinal));
        Assert.StartsWith("GET /api/rides?page=4 HTTP/1.1", requests[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionClosedInTheMiddleOfAnAnswer_IsAnError_NotAShortAnswer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            var stream = accepted.GetStream();
            var buffer = new byte[4096];
            _ = await stream.ReadAsync(buffer);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part"u8.ToArray());
        });

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var connection = await KeepAliveHttpConnection.OpenAsync(new Uri($"http://127.0.0.1:{port}/"), "t", CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => connection.GetAsync("/", CancellationToken.None));
        await server;
    }
}
