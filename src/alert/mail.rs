//! From a rendered digest to delivered mail: the MIME message (plain text
//! and HTML alternatives, charts inline by Content-ID, a UTF-8 subject
//! encoded by lettre per RFC 2047), the outbox copy (`.eml` and an `.html`
//! to open in a browser), and delivery exactly once: each message is
//! queued in SQLite under its idempotency key; a failed send stays queued
//! and is retried with backoff; a sent key is never sent again.

use super::DigestConfig;
use super::digest::Rendered;
use crate::store::{QueuedMail, Store};
use crate::text::escape::header_value;
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Environment variables holding SMTP credentials.
pub const SMTP_USER_ENV: &str = "YUQING_SMTP_USER";
/// See [`SMTP_USER_ENV`].
pub const SMTP_PASSWORD_ENV: &str = "YUQING_SMTP_PASSWORD";
/// Longest wait before retrying a failed message.
const MAX_RETRY: chrono::Duration = chrono::Duration::hours(6);

/// A mail problem, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// An address in the configuration does not parse.
    #[error("`{address}` is not an e-mail address ([digest] {key})")]
    Address {
        /// The text.
        address: String,
        /// Which key.
        key: &'static str,
    },
    /// The message could not be built.
    #[error("cannot build the message: {0}")]
    Build(String),
    /// The SMTP URL is unusable.
    #[error("[digest] smtp_url `{url}`: {reason}")]
    Url {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Writing the outbox failed.
    #[error("cannot write the outbox {path}: {source}")]
    Outbox {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

fn mailbox(text: &str, key: &'static str) -> Result<Mailbox, MailError> {
    header_value(text).parse().map_err(|_| MailError::Address {
        address: text.to_string(),
        key,
    })
}

/// The MIME message of `rendered` from `from` to `recipients`.
pub fn build_message(
    rendered: &Rendered,
    from: &str,
    recipients: &[String],
) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .from(mailbox(from, "from")?)
        .subject(header_value(&rendered.subject));
    for recipient in recipients {
        builder = builder.to(mailbox(recipient, "recipients")?);
    }
    let mut related = MultiPart::related().singlepart(SinglePart::html(rendered.html.clone()));
    for (cid, png) in &rendered.images {
        related = related.singlepart(Attachment::new_inline(cid.clone()).body(
            png.clone(),
            ContentType::parse("image/png").expect("a valid type"),
        ));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(rendered.text.clone()))
                .multipart(related),
        )
        .map_err(|e| MailError::Build(e.to_string()))
}

/// Writes `message` (and a browsable HTML copy with its images beside it)
/// to `outbox`; returns the `.html` path.
pub fn write_outbox(
    outbox: &Path,
    key: &str,
    rendered: &Rendered,
    eml: &[u8],
) -> Result<PathBuf, MailError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MailError::Outbox { path, source }
    };
    std::fs::create_dir_all(outbox).map_err(io(outbox))?;
    let stem: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let eml_path = outbox.join(format!("{stem}.eml"));
    std::fs::write(&eml_path, eml).map_err(io(&eml_path))?;
    let mut html = rendered.html.clone();
    for (cid, png) in &rendered.images {
        let file = format!("{stem}-{cid}.png");
        let path = outbox.join(&file);
        std::fs::write(&path, png).map_err(io(&path))?;
        html = html.replace(&format!("cid:{cid}"), &file);
    }
    let html_path = outbox.join(format!("{stem}.html"));
    std::fs::write(&html_path, html).map_err(io(&html_path))?;
    Ok(std::fs::canonicalize(&html_path).unwrap_or(html_path))
}

/// Queues `message` under `key` (false when the key was queued or sent before).
pub fn enqueue(
    store: &mut Store,
    key: &str,
    message: &Message,
    subject: &str,
    recipients: &[String],
    now: DateTime<Utc>,
) -> Result<bool, MailError> {
    Ok(store.enqueue_mail(&QueuedMail::new(
        key,
        subject,
        recipients,
        message.formatted(),
        now,
    ))?)
}

/// The SMTP transport of `[digest] smtp_url`.
pub fn transport(
    config: &DigestConfig,
) -> Result<Option<AsyncSmtpTransport<Tokio1Executor>>, MailError> {
    let Some(raw) = config.smtp_url.as_deref() else {
        return Ok(None);
    };
    let bad = |reason: &str| MailError::Url {
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    let host = url
        .host_str()
        .ok_or_else(|| bad("no host"))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let tls_parameters = || TlsParameters::new(host.clone()).map_err(|e| bad(&e.to_string()));
    let builder = match url.scheme() {
        "smtp" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(url.port().unwrap_or(25))
            .tls(Tls::Opportunistic(tls_parameters()?)),
        "smtps" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(url.port().unwrap_or(465))
            .tls(Tls::Wrapper(tls_parameters()?)),
        other => return Err(bad(&format!("scheme `{other}`: use smtp:// or smtps://"))),
    };
    let mut builder = builder.timeout(Some(Duration::from_secs(config.timeout_secs)));
    if let (Ok(user), Ok(password)) = (
        std::env::var(SMTP_USER_ENV),
        std::env::var(SMTP_PASSWORD_ENV),
    ) {
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(Some(builder.build()))
}

/// What one delivery pass did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Delivery {
    /// Messages delivered.
    pub sent: Vec<String>,
    /// Messages that failed this time (still queued), with why.
    pub failed: Vec<(String, String)>,
}

/// Sends every queued message due by `due_until` (the scheduler passes
/// now; a user asking to send passes a later time, so waiting retries go
/// too); a failure is retried later (1 min, doubling, at most 6 h).
pub async fn deliver_due(
    store: &mut Store,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    due_until: DateTime<Utc>,
) -> Result<Delivery, MailError> {
    let now = Utc::now();
    let mut delivery = Delivery::default();
    let from: Address = header_value(from).parse().map_err(|_| MailError::Address {
        address: from.to_string(),
        key: "from",
    })?;
    for mail in store.due_mail(due_until)? {
        let to: Vec<Address> = mail
            .recipients
            .split(',')
            .filter_map(|r| r.trim().parse().ok())
            .collect();
        let outcome = match lettre::address::Envelope::new(Some(from.clone()), to) {
            Ok(envelope) => transport
                .send_raw(&envelope, &mail.eml)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(()) => {
                store.mail_attempted(&mail.key, Ok(now))?;
                delivery.sent.push(mail.key);
            }
            Err(error) => {
                let wait =
                    (chrono::Duration::minutes(1) * (1 << mail.attempts.min(10))).min(MAX_RETRY);
                tracing::warn!(key = %mail.key, attempts = mail.attempts + 1, %error, "mail not delivered; it stays queued");
                store.mail_attempted(&mail.key, Err((error.clone(), now + wait)))?;
                delivery.failed.push((mail.key, error));
            }
        }
    }
    Ok(delivery)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Rendered {
        Rendered {
            subject: "舆情日报\r\nBcc: spy@evil.example".into(),
            html: "<p>正文</p><img src=\"cid:trend-1\">".into(),
            text: "正文\n".into(),
            images: vec![(
                "trend-1".into(),
                super::super::chart::bar_chart_png(&[1, 3], 1),
            )],
        }
    }

    #[test]
    fn the_message_has_both_parts_an_inline_image_and_a_safe_subject() {
        let message = build_message(
            &rendered(),
            "yuqing@example.gov.cn",
            &["leader@example.gov.cn".into()],
        )
        .unwrap();
        let eml = String::from_utf8_lossy(&message.formatted()).into_owned();
        assert!(eml.contains("multipart/alternative"));
        assert!(eml.contains("multipart/related"));
        assert!(eml.contains("Content-ID: <trend-1>"), "{eml}");
        assert!(eml.contains("=?utf-8?"), "encoded subject: {eml}");
        assert!(
            !eml.lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{eml}"
        );
    }

    #[test]
    fn bad_addresses_and_urls_are_named() {
        let error = build_message(&rendered(), "not an address", &[]).unwrap_err();
        assert!(error.to_string().contains("[digest] from"), "{error}");
        let config = DigestConfig {
            smtp_url: Some("ftp://x".into()),
            ..DigestConfig::default()
        };
        let error = transport(&config).unwrap_err();
        assert!(error.to_string().contains("smtp://"), "{error}");
    }

    #[test]
    fn the_outbox_html_opens_without_a_mail_client() {
        let dir = tempfile::tempdir().unwrap();
        let r = rendered();
        let message = build_message(&r, "a@b.cn", &["c@d.cn".into()]).unwrap();
        let html = write_outbox(
            dir.path(),
            "digest:2026-11-28T08:00:leaders",
            &r,
            &message.formatted(),
        )
        .unwrap();
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(!page.contains("cid:"));
        assert!(
            dir.path()
                .join("digest_2026-11-28T08_00_leaders-trend-1.png")
                .exists()
        );
        assert!(html.with_extension("eml").exists());
    }
}
