// StructuredLog web sample: ILogger<T> through StructuredLog, one event per request, JSON lines to the
// console and to logs/webapi.jsonl. Run:
//   dotnet run --project samples/WebApi --urls http://127.0.0.1:5080
// then: curl http://127.0.0.1:5080/orders/42 -H "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
// Levels are read from the "StructuredLog" section of appsettings.json and follow edits of the file.
using Microsoft.AspNetCore.Http.HttpResults;

// StructuredLog reports its own problems (a failing sink, a bad reload) here.
StructuredLog.Diagnostics.SelfLog.Enable(Console.Error);
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddStructuredLog(o => o.ConfigurePipeline(p => p.EnrichWithProperty("Application", "WebApi")));

var app = builder.Build();
app.UseStructuredLogRequests(o =>
{
    o.RequestHeaders.Add("Authorization"); // logged as "***"
    o.RequestHeaders.Add("X-Tenant");
});

app.MapGet("/", () => "StructuredLog WebApi sample: try /orders/42, /orders/0, /boom, /health");

app.MapGet("/orders/{id:int}", Results<Ok<Order>, NotFound> (int id, ILogger<Order> log) =>
{
    if (id <= 0)
    {
        OrderLog.NotFound(log, id);
        return TypedResults.NotFound();
    }
    var order = new Order(id, "Ada", 42.5m);
    OrderLog.Loaded(log, order.Id, order.Customer, order.Total);
    return TypedResults.Ok(order);
});

app.MapGet("/boom", () => { throw new InvalidOperationException("Something broke in the sample"); });

app.MapGet("/health", () => "healthy");

app.Run();

/// <summary>An order of the sample.</summary>
public sealed record Order(int Id, string Customer, decimal Total);

/// <summary>Source-generated log methods of the sample.</summary>
internal static partial class OrderLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Loaded order {OrderId} for {Customer}, total {Total}")]
    public static partial void Loaded(ILogger logger, int orderId, string customer, decimal total);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Order {OrderId} not found")]
    public static partial void NotFound(ILogger logger, int orderId);
}
