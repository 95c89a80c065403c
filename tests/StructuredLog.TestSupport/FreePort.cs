using System.Net;
using System.Net.Sockets;

namespace StructuredLog.TestSupport;

/// <summary>Free loopback ports, found by binding port 0 and releasing it.</summary>
public static class FreePort
{
    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int Tcp()
    {
        using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)l.LocalEndPoint!).Port;
    }

    /// <summary>A UDP port free on 127.0.0.1 right now.</summary>
    public static int Udp()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitAcceptingAsync(int port, TimeSpan timeout, Func<bool>? stillAlive = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await s.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && (stillAlive?.Invoke() ?? true))
            {
                await Task.Delay(50);
            }
        }
    }
}
