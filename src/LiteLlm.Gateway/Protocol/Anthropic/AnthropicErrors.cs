using System.Text.Json;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Protocol.Anthropic;

/// <summary>Errors in Anthropic's shape: <c>{"type":"error","error":{"type","message"}}</c>, with Anthropic's statuses.</summary>
internal static class AnthropicErrors
{
    /// <summary>Anthropic's own status for an overloaded provider; an upstream 529 reaches an Anthropic client as 529.</summary>
    public const int Overloaded = 529;

    public static int Status(GatewayError error) => error.Code == "overloaded" ? Overloaded : error.Status;

    public static string Type(GatewayError error) => error.Code == "overloaded" ? "overloaded_error" : GatewayErrors.AnthropicType(error.Status);

    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        context.Response.StatusCode = Status(error);
        GatewayErrors.ApplyHeaders(context.Response, error); // retry-after
        context.Response.ContentType = "application/json";
        var body = new AnthropicErrorResponse { Error = new AnthropicErrorBody { Type = Type(error), Message = error.Message } };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, GatewayJson.Context.AnthropicErrorResponse, context.RequestAborted).ConfigureAwait(false);
    }
}
