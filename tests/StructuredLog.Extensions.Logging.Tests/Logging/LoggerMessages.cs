using Microsoft.Extensions.Logging;

namespace StructuredLog.Extensions.Logging.Tests.Logging;

public sealed record Order(int Id, string Customer);

internal static partial class LoggerMessages
{
    [LoggerMessage(EventId = 42, EventName = "OrderShipped", Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Order {OrderId} shipped to {Customer} in {Elapsed:F1} ms")]
    public static partial void OrderShipped(ILogger logger, int orderId, string customer, double elapsed);

    [LoggerMessage(EventId = 7, Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Payment {PaymentId} failed")]
    public static partial void PaymentFailed(ILogger logger, Guid paymentId, Exception exception);

    [LoggerMessage(EventId = 8, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Cache {Key} missed")]
    public static partial void CacheMissed(ILogger logger, string key);

    [LoggerMessage(EventId = 9, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Seven {A} {B} {C} {D} {E} {F} {G}")]
    public static partial void Seven(ILogger logger, int a, long b, bool c, string d, DateTime e, decimal f, char g);

    [LoggerMessage(EventId = 10, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Placed {@Order}")]
    public static partial void Placed(ILogger logger, Order order);
}
