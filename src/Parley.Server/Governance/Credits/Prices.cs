using Parley.Server.Platform;

namespace Parley.Server.Governance.Credits;

/// <summary>
/// What priced actions cost, from <c>Governance:Prices:&lt;action&gt;</c> in credits (default 0 = free), and per model
/// from <c>Governance:Prices:Models:&lt;model&gt;:&lt;action&gt;</c> where set. Read once at start (a bad price stops
/// the server there) and again when the configuration reloads.
/// </summary>
internal sealed class Prices
{
    public const string GovernedCall = "governed_call";
    public const string RunMinute = "run_minute";
    public const string ModelInput1kTokens = "model_input_1k_tokens";
    public const string ModelOutput1kTokens = "model_output_1k_tokens";

    private static readonly string[] Actions = [GovernedCall, RunMinute, ModelInput1kTokens, ModelOutput1kTokens];

    private readonly IConfiguration _configuration;
    private Dictionary<string, long>? _prices;

    public Prices(IConfiguration configuration)
    {
        _configuration = configuration;
        Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => _prices = null);
    }

    /// <summary>The price of one unit of an action, in micro-credits (a model's own price where one is set).</summary>
    public long MicrosOf(string action, string? model = null)
    {
        if (!Actions.Contains(action, StringComparer.Ordinal))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Not a priced action.");
        }
        var prices = _prices ??= Load();
        return model is not null && prices.TryGetValue($"Models:{model}:{action}", out var own) ? own
            : prices.GetValueOrDefault(action);
    }

    /// <summary>Reads every price now: the server calls this at start so a bad price fails there, not in a request.</summary>
    public void Validate() => _prices = Load();

    private Dictionary<string, long> Load()
    {
        var section = _configuration.GetSection("Governance:Prices");
        var prices = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var action in Actions)
        {
            if (section[action] is { Length: > 0 } raw)
            {
                prices[action] = CreditAmount.ToMicros(CreditAmount.Parse(raw, $"Governance:Prices:{action}"));
            }
        }
        foreach (var model in section.GetSection("Models").GetChildren())
        {
            foreach (var price in model.GetChildren())
            {
                if (!Actions.Contains(price.Key, StringComparer.Ordinal))
                {
                    throw new ConfigurationException($"Governance:Prices:Models:{model.Key}:{price.Key} is not a priced action ({string.Join(", ", Actions)}).");
                }
                prices[$"Models:{model.Key}:{price.Key}"] = CreditAmount.ToMicros(CreditAmount.Parse(price.Value ?? "", $"Governance:Prices:Models:{model.Key}:{price.Key}"));
            }
        }
        return prices;
    }
}
