//! End to end in a real headless browser (Debian's Chromium through
//! ChromeDriver, which `.ci/run` installs): log in, search a Chinese query,
//! open an item, confirm a case with a note, find it in the audit log;
//! hostile crawled text renders as text. Screenshots are saved under
//! `target/tmp/screenshots/`.
//!
//! Without ChromeDriver on the machine the test says so and passes, unless
//! `YUQING_REQUIRE_BROWSER` is set (CI sets it), when it fails.

use fantoccini::{ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Clicks the element at `css`.
async fn click(client: &fantoccini::Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Types `text` into the element at `css`.
async fn type_into(client: &fantoccini::Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// The text of the element at `css`.
async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

#[test]
fn a_real_browser_logs_in_searches_and_confirms_a_case() {
    let (Some(chromedriver), Some(chromium)) = (
        find_program(&["chromedriver"]),
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        assert!(
            std::env::var_os("YUQING_REQUIRE_BROWSER").is_none(),
            "YUQING_REQUIRE_BROWSER is set but chromium / chromedriver are not installed"
        );
        eprintln!(
            "SKIPPED: no chromium + chromedriver on this machine (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let server = super::web::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = tempfile::tempdir().unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a browser session");
        let shot = |name: &'static str| {
            let client = client.clone();
            let path = shots.join(name);
            async move {
                let png = client.screenshot().await.unwrap();
                std::fs::write(path, png).unwrap();
            }
        };

        // The search page sends us to the login page; log in there.
        client.goto(&format!("{}/", server.base)).await.unwrap();
        client
            .wait()
            .for_element(Locator::Id("login-form"))
            .await
            .unwrap();
        shot("1-login.png").await;
        // A login link crafted to send the user on to another site after
        // logging in (`/\evil.example` is another host to the browser)
        // lands on this site instead.
        client
            .goto(&format!(
                "{}/login?next=%2F%5Cevil.example%2Fphish",
                server.base
            ))
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Id("login-form"))
            .await
            .unwrap();
        type_into(&client, "#username", "rev").await;
        type_into(&client, "#password", "a-long-enough-password").await;
        click(&client, "#login-form button").await;
        client
            .wait()
            .for_element(Locator::Css("form.search"))
            .await
            .unwrap();
        let landed = client.current_url().await.unwrap();
        assert!(
            landed.as_str().starts_with(&server.base),
            "after login: {landed}"
        );

        // A Chinese query; the match is highlighted.
        type_into(&client, "form.search input[name=q]", "派出所").await;
        click(&client, "form.search button").await;
        client
            .wait()
            .for_element(Locator::Css("article.hit mark"))
            .await
            .unwrap();
        let marked = text_of(&client, "article.hit mark").await;
        assert_eq!(marked, "派出所");
        shot("2-search.png").await;

        // Open the item.
        click(&client, "article.hit h2 a").await;
        let heading = client
            .wait()
            .for_element(Locator::Css("main h1"))
            .await
            .unwrap();
        assert!(heading.text().await.unwrap().contains("城关派出所"));
        shot("3-item.png").await;

        // Confirm its case with a note.
        client
            .goto(&format!("{}/review", server.base))
            .await
            .unwrap();
        let form = client
            .wait()
            .for_element(Locator::Css("form.case-action"))
            .await
            .unwrap();
        form.find(Locator::Css("input[name=note]"))
            .await
            .unwrap()
            .send_keys("浏览器中确认")
            .await
            .unwrap();
        form.find(Locator::Css("button[value=confirmed]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let source = client.source().await.unwrap();
            if source.contains("data-status=\"confirmed\"") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the case was not confirmed: {source}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        shot("4-review.png").await;

        // Hostile crawled text is shown as text, not markup.
        client
            .goto(&format!("{}/?q=%E4%BA%A4%E8%AD%A6", server.base))
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Css("article.hit"))
            .await
            .unwrap();
        let images = client.find_all(Locator::Css("main img")).await.unwrap();
        assert!(images.is_empty(), "no element made from crawled text");
        let title = text_of(&client, "article.hit h2 a").await;
        assert!(title.contains("<img src=x onerror=alert(1)>"), "{title}");
        shot("5-hostile.png").await;

        // A filter value that cannot be used is said at the top of the page.
        client
            .goto(&format!("{}/?q=&from=2026-13-45", server.base))
            .await
            .unwrap();
        let warning = text_of(&client, "main .warning").await;
        assert!(
            warning.contains("参数 from 的值“2026-13-45”不是有效日期")
                && warning.contains("已忽略"),
            "{warning}"
        );
        // The charts can be read: a scale and local times on their axes.
        client
            .goto(&format!("{}/trends", server.base))
            .await
            .unwrap();
        let chart = client
            .wait()
            .for_element(Locator::Css("svg.chart"))
            .await
            .unwrap();
        let label = chart.attr("aria-label").await.unwrap().unwrap_or_default();
        assert!(label.contains("最高") && label.contains("共"), "{label}");
        let y_ticks = chart.find_all(Locator::Css("text.y-tick")).await.unwrap();
        let x_ticks = chart.find_all(Locator::Css("text.x-tick")).await.unwrap();
        assert!(
            y_ticks.len() >= 2 && x_ticks.len() >= 7,
            "{} {}",
            y_ticks.len(),
            x_ticks.len()
        );
        let (_, _, width, _) = y_ticks[0].rectangle().await.unwrap();
        assert!(width > 0.0, "the scale is drawn");
        shot("6-trends.png").await;
        client.close().await.unwrap();
    });

    // The decision is in the audit log, under the reviewer's name.
    let store =
        yuqing::store::Store::open_read_only(&server._fixture.data().join("yuqing.db")).unwrap();
    let log = store.audit_entries(None, 50).unwrap();
    assert!(
        log.iter().any(|e| e.actor == "rev"
            && e.action == "case.status"
            && e.after.as_deref() == Some("confirmed")),
        "{log:?}"
    );
    assert!(log.iter().any(|e| e.actor == "rev"
        && e.action == "case.note"
        && e.detail.as_deref() == Some("浏览器中确认")));
    assert!(shots.join("4-review.png").exists());
}
