using System.Net;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Contracts.Json;

namespace Parley.Server.Platform.Mailing;

internal sealed record Mail(string To, string Subject, string Body, string? Code);

/// <summary>
/// Sends mail through SMTP when <c>Mail:Smtp:Host</c> is set; otherwise appends one JSON line per mail to
/// <c>&lt;data&gt;/outbox.jsonl</c> (<c>{to, subject, body, code, sent_at}</c>). Either way the log says a mail went out,
/// never what code it carried.
/// </summary>
internal sealed class Mailer(IOptions<ParleyOptions> platform, TimeProvider time, ILogger<Mailer> logger)
{
    private static readonly SemaphoreSlim OutboxLock = new(1, 1);

    public string OutboxPath => Path.Combine(Path.GetFullPath(platform.Value.Storage.DataDirectory), "outbox.jsonl");

    public async Task SendAsync(Mail mail, CancellationToken cancellationToken)
    {
        var smtp = platform.Value.Mail.Smtp;
        if (!string.IsNullOrEmpty(smtp.Host))
        {
            using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.Port != 25 };
            if (!string.IsNullOrEmpty(smtp.User))
            {
                client.Credentials = new NetworkCredential(smtp.User, smtp.Password);
            }
            using var message = new MailMessage(smtp.From, mail.To, mail.Subject, mail.Body);
            await client.SendMailAsync(message, cancellationToken);
            logger.LogInformation("Sent a mail ({Subject}) through SMTP", mail.Subject);
            return;
        }
        var line = JsonSerializer.Serialize(new OutboxLine(mail.To, mail.Subject, mail.Body, mail.Code, time.GetUtcNow()), ParleyJson.Options);
        await OutboxLock.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(OutboxPath)!);
            await File.AppendAllTextAsync(OutboxPath, line + "\n", cancellationToken);
        }
        finally
        {
            OutboxLock.Release();
        }
        logger.LogInformation("Wrote a mail ({Subject}) to the outbox", mail.Subject);
    }

    private sealed record OutboxLine(string To, string Subject, string Body, string? Code, DateTimeOffset SentAt);
}
