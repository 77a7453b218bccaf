using Kiln.Core.Triggers;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Webhooks;

/// <summary>One forge's webhooks: how a delivery names itself and its event, how it is signed, and what
/// its payload asks for. Parsing reads the shapes the forge documents, with the fields real deliveries
/// leave null or out treated as optional.</summary>
public interface IWebhookProvider
{
    Forge Forge { get; }

    /// <summary>The forge's id of this delivery (the same on a redelivery), or null if it sends none.</summary>
    string? DeliveryId(IHeaderDictionary headers);

    /// <summary>The event's name from the headers, or null if they name none.</summary>
    string? EventName(IHeaderDictionary headers);

    HookCredential Credential(IHeaderDictionary headers);

    /// <summary>Reads the body of an event; a <see cref="System.Text.Json.JsonException"/> for a body that is not JSON.</summary>
    HookPayload Parse(string eventName, ReadOnlyMemory<byte> body);
}
