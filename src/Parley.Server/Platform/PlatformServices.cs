using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using Parley.Contracts.Json;
using Parley.Server.Data;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Health;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.Logging;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Testing;

namespace Parley.Server.Platform;

/// <summary>Registers and wires the cross-cutting machinery every module uses.</summary>
internal static class PlatformServices
{
    /// <summary>
    /// Configuration sources, lowest priority first: appsettings.json, environment variables (<c>PARLEY_</c> prefix,
    /// <c>__</c> for <c>:</c>), command-line flags. No configuration at all means SQLite under <c>./data</c> on
    /// <c>http://127.0.0.1:8080</c>.
    /// </summary>
    public static WebApplicationBuilder AddParleyConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddEnvironmentVariables("PARLEY_");
        builder.Configuration.AddCommandLine(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }
        return builder;
    }

    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.Get<ParleyOptions>() ?? new ParleyOptions();
        var dataDirectory = Path.GetFullPath(options.Storage.DataDirectory);
        DataDirectory.Secure(dataDirectory);

        services.Configure<ParleyOptions>(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Ids>();
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton(MasterKey.Load(options, dataDirectory, message => Console.WriteLine(message)));
        services.AddSingleton<SecretBox>();
        services.AddSingleton<ErrorWriter>();
        services.AddSingleton<RateLimiter>();
        services.AddScoped<RateLimits>();
        services.AddSingleton(new OutboundTrust(builder.Configuration["Gateway:UpstreamTrustedCaFile"]));
        services.AddSingleton<OutboundHttp>();
        services.AddSingleton<BodyLimits>();
        services.AddSingleton<Mailing.Mailer>();
        services.AddSingleton<Readiness>();

        AddDatabase(services, options, dataDirectory);
        services.AddScoped<Writes>();
        services.AddScoped<IdempotencyStore>();

        services.AddSingleton<JobScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<JobScheduler>());
        services.AddHostedService<RateWindowSweeper>();
        services.AddBackgroundJob<IdempotencyCleanupJob>();
        services.AddScoped<OwnerEvents.OwnerEventLog>();
        services.AddBackgroundJob<OwnerEvents.OwnerEventPruneJob>();

        services.ConfigureHttpJsonOptions(o => ParleyJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<Idempotency.IdempotencyDocumentation>();
        services.AddSingleton<IOperationErrorCodes>(sp => sp.GetRequiredService<Idempotency.IdempotencyDocumentation>());
        services.AddOpenApi(o =>
        {
            var errors = new ErrorResponsesTransformer();
            o.AddDocumentTransformer(errors);
            o.AddOperationTransformer(errors);
            var schemas = new SchemaRules();
            o.AddSchemaTransformer(schemas);
            o.AddDocumentTransformer(schemas);
            o.AddOperationTransformer(new PathParameters());
            o.AddOperationTransformer<Idempotency.IdempotencyDocumentation>();
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new Microsoft.OpenApi.OpenApiInfo
                {
                    Title = "Parley",
                    Version = "v1",
                    Description = "The HTTP API of a Parley server. Every error answers the envelope of `ErrorEnvelope` with `X-Error-Code`; "
                        + "each operation lists the catalog codes it can answer (`x-error-codes`; the whole catalog is `GET /v1/errors`). "
                        + "Agents also hold a WebSocket, `GET /v1/ws` (the agent channel), which OpenAPI cannot describe: its frames are "
                        + "documented in docs/channel.md of the Parley repository.",
                };
                return Task.CompletedTask;
            });
        });

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            ServerRejections.UseEnvelopes(listen, kestrel.ApplicationServices.GetRequiredService<Ids>(), kestrel.Limits)));

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = RedactingJsonFormatter.Name);
        builder.Logging.AddConsoleFormatter<RedactingJsonFormatter, ConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            o.UseUtcTimestamp = true;
        });
        return builder;
    }

    /// <summary>
    /// The PostgreSQL data source, with two defaults of Parley's unless the connection string sets them: a pooled
    /// connection is not reset when returned (Parley keeps no session state on pooled connections — its advisory locks
    /// are transaction-scoped — and the reset was one more round trip per open, 2.5 per send), and the hot statements
    /// are prepared once per connection (<c>Max Auto Prepare</c>) instead of parsed and planned on every call.
    /// </summary>
    private static NpgsqlDataSource PostgresDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // What the operator wrote wins (the builder knows every keyword, so look at the text itself).
        var written = connectionString.Replace(" ", "", StringComparison.Ordinal);
        if (!written.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }
        if (!written.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }
        return builder.Build();
    }

    private static void AddDatabase(IServiceCollection services, ParleyOptions options, string dataDirectory)
    {
        var database = options.Database;
        DatabaseProvider provider = database.Provider.ToLowerInvariant() switch
        {
            "sqlite" => new SqliteProvider(
                new SqliteConnectionStringBuilder(database.ConnectionString ?? $"Data Source={Path.Combine(dataDirectory, "parley.db")}")
                {
                    Pooling = true,
                    DefaultTimeout = Math.Max(1, database.BusyTimeoutMs / 1000),
                }.ToString(),
                new SqlitePragmas(database.Durability, database.BusyTimeoutMs),
                TimeSpan.FromMilliseconds(Math.Max(0, database.GroupCommitWindowMs))),
            "postgres" or "postgresql" => new PostgresProvider(PostgresDataSource(
                database.ConnectionString ?? throw new ConfigurationException("Database:ConnectionString is required with Database:Provider=postgres."))),
            _ => throw new ConfigurationException($"Database:Provider must be 'sqlite' or 'postgres', not '{database.Provider}'."),
        };
        services.AddSingleton(provider);
        if (provider is PostgresProvider postgres)
        {
            services.AddSingleton(postgres.DataSource);
            services.AddSingleton<PostgresClusterBus>();
            services.AddSingleton<IClusterBus>(sp => sp.GetRequiredService<PostgresClusterBus>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgresClusterBus>());
        }
        else
        {
            services.AddSingleton<IClusterBus, LocalClusterBus>();
        }
        var faults = options.Testing.FaultHooks ? new FaultInterceptor() : null;
        services.AddDbContextPool<ParleyDb>(o =>
        {
            provider.Configure(o);
            // Migrations are written by hand and have no model snapshot; SchemaMatchesModel tests guard the schema instead.
            o.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
            if (faults is not null)
            {
                o.AddInterceptors(faults);
            }
        });
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ParleyOptions>>().Value;
        app.UseRequestTracking();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseRateLimitHeaders();
        if (options.Testing.FaultHooks)
        {
            app.UseFaultHeader();
        }
        var bodyLimits = app.Services.GetRequiredService<BodyLimits>();
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = bodyLimits.For(context.Request.Path, options.Limits.MaxJsonBodyBytes);
            }
            return next(context);
        });
        app.UseRequestTextRules();
        app.UseRouting();
        return app;
    }

    /// <summary>Runs after authentication, so keys are scoped to the caller.</summary>
    public static WebApplication UseIdempotency(this WebApplication app)
    {
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    public static WebApplication MapPlatform(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealth();
        app.MapErrorCatalog();
        if (app.Services.GetRequiredService<IOptions<ParleyOptions>>().Value.Testing.FaultHooks)
        {
            app.MapFaultHooks();
        }
        return app;
    }

    /// <summary>Prepares the database and applies every migration before the server takes requests.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<DatabaseProvider>().PrepareAsync(cancellationToken);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ParleyDb>().Database.MigrateAsync(cancellationToken);
        }
        foreach (var task in app.Services.GetServices<IStartupTask>())
        {
            await task.RunAsync(cancellationToken);
        }
        app.Services.GetRequiredService<Readiness>().MigrationsApplied = true;
    }
}
