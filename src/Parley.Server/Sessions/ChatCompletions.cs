using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parley.Server.Sessions;

/// <summary>One message of the conversation as the provider is sent it.</summary>
internal sealed record ChatTurn(string Role, string? Content, IReadOnlyList<ChatToolCall>? ToolCalls = null, string? ToolCallId = null);

/// <summary>A function call the model asked for (its arguments are JSON text, as the provider sends them).</summary>
internal sealed record ChatToolCall(string Id, string Function, string Arguments);

/// <summary>A function offered to the model.</summary>
internal sealed record ChatTool(string Function, string Description, JsonElement Parameters);

/// <summary>What one provider call answered: text, tool calls, and the tokens it counted.</summary>
internal sealed record ChatReply(string Text, List<ChatToolCall> ToolCalls, long InputTokens, long OutputTokens);

/// <summary>
/// The OpenAI chat-completions protocol, both ways: the request (messages, tools as functions, <c>stream</c> with
/// <c>stream_options.include_usage</c>), the plain JSON answer, and the Server-Sent Events stream — read line by line,
/// so chunks cut anywhere join up; text deltas as they come; tool-call deltas gathered by <c>index</c> (the id and name
/// in the first, the arguments spread over many); usage from the last chunk; <c>[DONE]</c> ends it.
/// </summary>
internal static class ChatCompletions
{
    public static byte[] Request(string model, IReadOnlyList<ChatTurn> turns, IReadOnlyList<ChatTool> tools, int maxTokens, bool stream)
    {
        var messages = new JsonArray();
        foreach (var turn in turns)
        {
            var message = new JsonObject { ["role"] = turn.Role, ["content"] = turn.Content };
            if (turn.ToolCalls is { Count: > 0 } calls)
            {
                message["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = c.Function, ["arguments"] = c.Arguments },
                })]);
            }
            if (turn.ToolCallId is { } id)
            {
                message["tool_call_id"] = id;
            }
            messages.Add(message);
        }
        var body = new JsonObject { ["model"] = model, ["messages"] = messages, ["max_tokens"] = maxTokens, ["stream"] = stream };
        if (stream)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }
        if (tools.Count > 0)
        {
            body["tools"] = new JsonArray([.. tools.Select(t => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = t.Function, ["description"] = t.Description, ["parameters"] = JsonNode.Parse(t.Parameters.GetRawText()) },
            })]);
        }
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>A non-streamed answer.</summary>
    public static ChatReply ParseReply(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var message = root.GetProperty("choices")[0].GetProperty("message");
        var text = message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : "";
        var calls = new List<ChatToolCall>();
        if (message.TryGetProperty("tool_calls", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in list.EnumerateArray())
            {
                var function = call.GetProperty("function");
                calls.Add(new ChatToolCall(call.GetProperty("id").GetString()!, function.GetProperty("name").GetString()!,
                    function.TryGetProperty("arguments", out var arguments) ? arguments.GetString() ?? "{}" : "{}"));
            }
        }
        var (input, output) = Usage(root);
        return new ChatReply(text, calls, input, output);
    }

    /// <summary>Reads a streamed answer, handing each piece of text to <paramref name="onText"/> as it arrives.</summary>
    public static async Task<ChatReply> ReadStreamAsync(Stream body, Func<string, Task> onText, CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        long input = 0, output = 0;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(data.Length > 0 ? "\n" : "").Append(line.AsSpan(5).TrimStart(' '));
                continue;
            }
            if (line.Length > 0 || data.Length == 0)
            {
                continue; // another field (event:, id:, a comment), or a blank line with nothing gathered
            }
            var payload = data.ToString();
            data.Clear();
            if (payload == "[DONE]")
            {
                break;
            }
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (Usage(root) is var (i, o) && (i > 0 || o > 0))
            {
                (input, output) = (i, o);
            }
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0
                || !choices[0].TryGetProperty("delta", out var delta))
            {
                continue;
            }
            if (delta.TryGetProperty("content", out var piece) && piece.ValueKind == JsonValueKind.String && piece.GetString() is { Length: > 0 } chunk)
            {
                text.Append(chunk);
                await onText(chunk);
            }
            if (delta.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in toolCalls.EnumerateArray())
                {
                    var index = call.TryGetProperty("index", out var at) ? at.GetInt32() : 0;
                    var current = calls.TryGetValue(index, out var known) ? known : (null, null, new StringBuilder());
                    if (call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        current.Id ??= id.GetString();
                    }
                    if (call.TryGetProperty("function", out var function))
                    {
                        if (function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                        {
                            current.Name = (current.Name ?? "") + name.GetString();
                        }
                        if (function.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.String)
                        {
                            current.Arguments.Append(arguments.GetString());
                        }
                    }
                    calls[index] = current;
                }
            }
        }
        return new ChatReply(text.ToString(),
            [.. calls.Values.Select((c, n) => new ChatToolCall(c.Id ?? $"call_{n}", c.Name ?? "", c.Arguments.Length > 0 ? c.Arguments.ToString() : "{}"))],
            input, output);
    }

    private static (long Input, long Output) Usage(JsonElement root) =>
        root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            ? (usage.TryGetProperty("prompt_tokens", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : 0,
               usage.TryGetProperty("completion_tokens", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 0)
            : (0, 0);
}
