//! `yuqing digest --send` against a real SMTP server on 127.0.0.1
//! (mailin-embedded, in process): the message arrives once, with both
//! parts, an inline chart, a Chinese subject, hostile crawled text inert and
//! no personal numbers; with the server down it stays queued and is
//! delivered once when the server is back.

use super::common::{id_number, run, write_jsonl, yuqing};
use chrono::{Duration, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::json;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Inbox {
    current: Arc<Mutex<Vec<u8>>>,
    messages: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl mailin_embedded::Handler for Inbox {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.lock().unwrap().extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let message = std::mem::take(&mut *self.current.lock().unwrap());
        self.messages.lock().unwrap().push(message);
        mailin_embedded::response::OK
    }
}

fn start_smtp(listener: std::net::TcpListener, inbox: Inbox) {
    std::thread::spawn(move || {
        let mut server = mailin_embedded::Server::new(inbox);
        server.with_name("test.local").with_tcp_listener(listener);
        server.serve().unwrap();
    });
}

fn records() -> Vec<serde_json::Value> {
    let now = Utc::now();
    let mut records = Vec::new();
    for n in 0..6 {
        records.push(json!({
            "id": format!("c{n}"),
            "source": "forum",
            "kind": "post",
            "title": format!("<img src=http://evil.example/t{n}.png onerror=alert(1)>城关派出所民警打人\r\nBcc: spy@evil.example"),
            "text": format!(
                "城关派出所民警把来报案的大爷推倒在地还动手打人，第{n}个目击者说的。<script>alert('x')</script> 身份证 {} 电话 13912345678",
                id_number("11010519491231002")
            ),
            "published_at": (now - Duration::minutes(30 + n)).to_rfc3339(),
        }));
    }
    records
}

#[test]
fn the_digest_arrives_once_renders_and_carries_nothing_unsafe() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    // A free port with nobody listening yet: the server is "down".
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        path.join("yuqing.toml"),
        format!(
            "[storage]\ndata_dir = \"data\"\n\n[digest]\nrecipients = [\"leader@example.gov.cn\"]\nfrom = \"yuqing@example.gov.cn\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\ntimeout_secs = 5\n"
        ),
    )
    .unwrap();
    write_jsonl(&path.join("items.jsonl"), &records());
    let c = ["--config", "yuqing.toml"];
    let (code, _, stderr) = run(yuqing(path).args([&c[..], &["ingest", "items.jsonl"]].concat()));
    assert_eq!(code, 0, "{stderr}");

    // Server down: not delivered, queued.
    let send = || run(yuqing(path).args([&c[..], &["digest", "--send", "--json"]].concat()));
    let (code, stdout, stderr) = send();
    assert_eq!(code, 1, "{stdout} {stderr}");
    let made: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(made[0]["queued"], true);
    assert_eq!(made[0]["sent"], false);
    assert!(made[0]["error"].is_string(), "{made}");

    // The server comes back: the queued digest goes out, once.
    let inbox = Inbox::default();
    start_smtp(
        std::net::TcpListener::bind(("127.0.0.1", port)).unwrap(),
        inbox.clone(),
    );
    let (code, stdout, stderr) = send();
    assert_eq!(code, 0, "{stdout} {stderr}");
    let made: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (made[0]["queued"].as_bool(), made[0]["sent"].as_bool()),
        (Some(false), Some(true)),
        "{made}"
    );
    let (code, _, _) = send();
    assert_eq!(code, 0);
    let messages = inbox.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1, "sent exactly once");

    let raw = &messages[0];
    let message = MessageParser::default()
        .parse(raw)
        .expect("a parsable message");
    let subject = message.subject().unwrap();
    assert!(
        subject.contains("舆情日报") && subject.contains("投诉"),
        "{subject}"
    );
    let text = message.body_text(0).expect("a plain-text part");
    let html = message.body_html(0).expect("an HTML part");
    assert!(text.contains("重点投诉"), "{text}");
    assert!(html.contains("城关派出所"), "the flagged item is listed");
    assert!(
        message.parts.iter().any(|part| part
            .content_id()
            .is_some_and(|id| id.starts_with("trend-"))
            && part
                .content_type()
                .is_some_and(|t| t.ctype() == "image" && t.subtype() == Some("png"))),
        "an inline chart"
    );
    assert!(html.contains("cid:trend-1"));
    // Hostile crawled text is inert; nothing is fetched from elsewhere.
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "{html}");
    assert!(!lower.contains("<img src=http"), "{html}");
    assert!(!lower.contains("onerror=alert(1)>"), "{html}");
    assert!(!lower.contains("src=\"http"), "no remote images");
    let headers = String::from_utf8_lossy(raw);
    let header_block = headers.split("\r\n\r\n").next().unwrap();
    assert!(
        !header_block
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{header_block}"
    );
    assert!(
        !message
            .to()
            .unwrap()
            .first()
            .unwrap()
            .address()
            .unwrap()
            .contains("evil")
    );
    // Personal data was redacted before storage, so it cannot leak here.
    for part in [text.as_ref(), html.as_ref()] {
        assert!(!part.contains("13912345678"));
        assert!(
            !part.contains("110105194912310021") && !part.contains(&id_number("11010519491231002"))
        );
    }
}

#[test]
fn a_dry_run_writes_the_outbox_and_an_empty_period_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    // Only old items: the last 24 hours are empty.
    let old: Vec<serde_json::Value> = (0..3)
        .map(|n| {
            json!({"id": format!("o{n}"), "text": "江边骑车，风景很好。", "published_at": (Utc::now() - Duration::days(20)).to_rfc3339()})
        })
        .collect();
    write_jsonl(&path.join("old.jsonl"), &old);
    let (code, _, stderr) = run(yuqing(path).args(["ingest", "old.jsonl"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(yuqing(path).args(["digest", "--dry-run"]));
    assert_eq!(code, 0, "{stderr}");
    let outbox = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("outbox: "))
        .expect("the outbox path is printed");
    let page = std::fs::read_to_string(outbox).unwrap();
    assert!(page.contains("无新增舆情"), "{page}");
    assert!(std::path::Path::new(outbox).with_extension("eml").exists());
}

#[test]
fn the_daemon_alerts_on_a_critical_complaint_once_within_a_tick() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    std::fs::create_dir(path.join("drops")).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    start_smtp(listener, inbox.clone());
    std::fs::write(
        path.join("yuqing.toml"),
        format!(
            "[[sources]]\nname = \"drops\"\nkind = \"file\"\npath = \"drops/*.jsonl\"\nschedule = \"* * * * * *\"\n\n[digest]\nrecipients = [\"leader@example.gov.cn\"]\nfrom = \"yuqing@example.gov.cn\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\n\n[alerts]\nquiet_hours = \"\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        path.join("drops/a.jsonl"),
        "{\"id\":\"k1\",\"text\":\"西山派出所民警刑讯逼供，把我弟弟吊起来殴打了一整夜，打断了三根肋骨，现在还在重症监护室。\"}\n",
    )
    .unwrap();
    let child = yuqing(path)
        .args(["--config", "yuqing.toml", "run"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let received = || inbox.messages.lock().unwrap().len();
    while received() < 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(received(), 1, "the alert arrived");
    // A repost of the same story arrives: it is not alerted again.
    std::fs::write(
        path.join("drops/b.jsonl"),
        "{\"id\":\"k2\",\"text\":\"转发：西山派出所民警刑讯逼供，把人吊起来殴打一整夜，打断三根肋骨，人在重症监护室。\"}\n",
    )
    .unwrap();
    let db = path.join("data/yuqing.db");
    let count = || {
        yuqing::store::Store::open_read_only(&db)
            .ok()
            .and_then(|store| store.count_items().ok())
            .unwrap_or(0)
    };
    while count() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(count(), 2);
    std::thread::sleep(std::time::Duration::from_secs(2));
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let messages = inbox.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1, "one story, one alert");
    let message = MessageParser::default().parse(&messages[0]).unwrap();
    let subject = message.subject().unwrap();
    assert!(
        subject.contains("舆情预警") && subject.contains("1 条紧急投诉"),
        "{subject}"
    );
    assert!(message.body_text(0).unwrap().contains("西山派出所"));
}
