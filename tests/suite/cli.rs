//! The `yuqing` binary: exit codes, bad input, the `--json` contract, the
//! writer lock and crash safety (kill -9 mid-import, then run again).

use super::common::{run, write_jsonl, yuqing};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

fn search_json(dir: &Path, query: &str) -> serde_json::Value {
    let (code, stdout, stderr) = run(yuqing(dir).args([
        "--data", "data", "search", query, "--json", "--limit", "100",
    ]));
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn bad_lines_are_named_the_rest_goes_in_and_exit_is_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("items.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"a\",\"text\":\"派出所民警出警很快\"}\n\
         {\"id\":\"b\",\"text\":\"民警态度很好\"}\n\
         not json at all\n\
         [\"an\",\"array\"]\n\
         {\"id\":\"c\",\"kind\":\"tweet\",\"text\":\"x\"}\n\
         {\"id\":\"d\",\"title\":\"只有标题的民警帖子\"}\n",
    )
    .unwrap();
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "ingest", "items.jsonl"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("items.jsonl:3: not valid JSON"), "{stderr}");
    assert!(
        stderr.contains("items.jsonl:4: expected a JSON object, found an array"),
        "{stderr}"
    );
    assert!(
        stderr.contains("items.jsonl:5: unknown item kind `tweet`"),
        "{stderr}"
    );
    assert!(stdout.contains("6 records — 3 new"), "{stdout}");
    assert_eq!(search_json(dir.path(), "民警")["total"], 3);

    // Again with --json: the same report as an object, nothing new stored.
    let (code, stdout, _) =
        run(yuqing(dir.path()).args(["--data", "data", "ingest", "items.jsonl", "--json"]));
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["unchanged"], 3);
    assert_eq!(report["inserted"], 0);
    assert_eq!(report["failed"].as_array().unwrap().len(), 3);
    assert_eq!(report["failed"][0]["line"], 3);
}

#[test]
fn search_json_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    write_jsonl(
        &dir.path().join("a.jsonl"),
        &[
            json!({"id": "x1", "kind": "news", "source": "city-news", "url": "http://example.test/1",
                 "title": "城关派出所通报", "text": "城关派出所民警及时出警，“派出所”三个字。",
                 "published_at": "2026-11-27T10:00:00+08:00"}),
        ],
    );
    let (code, _, stderr) = run(yuqing(dir.path()).args(["--data", "data", "ingest", "a.jsonl"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "search", "派出所", "--json", "--facets"]));
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, ["facets", "hits", "total"]);
    let hit = &value["hits"][0];
    let mut hit_keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    hit_keys.sort();
    assert_eq!(
        hit_keys,
        [
            "categories",
            "flagged",
            "highlights",
            "id",
            "kind",
            "published_at",
            "score",
            "snippet",
            "source",
            "title",
            "url"
        ]
    );
    assert_eq!(hit["id"], "x1");
    assert_eq!(hit["published_at"], "2026-11-27T02:00:00Z");
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    for range in hit["highlights"].as_array().unwrap() {
        let (start, end) = (
            range[0].as_u64().unwrap() as usize,
            range[1].as_u64().unwrap() as usize,
        );
        assert_eq!(snippet[start..end].iter().collect::<String>(), "派出所");
    }
    assert_eq!(hit["highlights"].as_array().unwrap().len(), 2);
    assert_eq!(value["facets"]["kind"]["news"], 1);

    // Human output marks highlights; a bad query exits 2 and says where.
    let (code, stdout, _) = run(yuqing(dir.path()).args(["--data", "data", "search", "派出所"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("城关【派出所】民警"), "{stdout}");
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "search", "民警 \"出警"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("query error at column 4"), "{stderr}");
}

#[test]
fn empty_binary_and_unknown_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    std::fs::write(
        dir.path().join("blob.bin"),
        [0x7f, b'E', b'L', b'F', 0, 0, 1, 2],
    )
    .unwrap();
    let cases = [
        ("empty.jsonl", "empty.jsonl is empty: nothing to import"),
        ("blob.bin", "blob.bin looks like a binary file"),
        ("missing.jsonl", "cannot open missing.jsonl"),
    ];
    for (file, message) in cases {
        let (code, _, stderr) = run(yuqing(dir.path()).args(["--data", "data", "ingest", file]));
        assert_eq!(code, 1, "{file}: {stderr}");
        assert!(stderr.contains(message), "{file}: {stderr}");
    }
}

#[test]
fn gbk_csv_is_imported_and_missing_columns_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = "id,kind,title,text,published_at\n\
                g1,petition,户籍窗口,办理户口迁移来回跑了五趟,2026-11-20 10:00\n\
                g2,petition,出警太慢\n\
                g3,post,,派出所民警很负责,2026-11-21\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    std::fs::write(dir.path().join("export.csv"), &gbk).unwrap();
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "ingest", "export.csv"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("export.csv:3: has 3 fields, the header has 5"),
        "{stderr}"
    );
    let found = search_json(dir.path(), "户口迁移");
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["kind"], "petition");
    assert_eq!(search_json(dir.path(), "民警")["total"], 1);
}

#[test]
fn a_utf8_csv_with_a_bom_and_crlf_is_imported_and_bad_rows_named_by_their_line() {
    let dir = tempfile::tempdir().unwrap();
    // As Excel saves "CSV UTF-8": a BOM before the first column's name,
    // \r\n line ends, a quoted field over two lines.
    let text = "\u{feff}text,id,kind\r\n\
                户籍窗口办理户口迁移来回跑了五趟,b1,petition\r\n\
                \"派出所民警\r\n很负责\",b2,post\r\n\
                出警太慢,b3\r\n";
    std::fs::write(dir.path().join("excel.csv"), text).unwrap();
    let (code, _, stderr) = run(yuqing(dir.path()).args(["--data", "data", "ingest", "excel.csv"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("excel.csv:5: has 2 fields, the header has 3"),
        "{stderr}"
    );
    let found = search_json(dir.path(), "户口迁移");
    assert_eq!(
        found["total"], 1,
        "the first column (after the BOM) is the text"
    );
    assert_eq!(found["hits"][0]["kind"], "petition");
    assert_eq!(search_json(dir.path(), "民警")["total"], 1);
}

/// A document too long to keep is cut to `max_body_bytes` (1 MiB) and said;
/// a line too long to read (over 16 MiB) is refused alone, without being
/// held in memory, and the rest is imported.
#[test]
fn a_10_mb_document_is_capped_and_a_300_mb_line_refused_neither_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jsonl");
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let chunk = "派出所民警出警。".repeat(4096); // 96 KiB
        let mut document = |id: &str, bytes: usize| {
            write!(out, "{{\"id\":\"{id}\",\"text\":\"").unwrap();
            for _ in 0..bytes / chunk.len() {
                out.write_all(chunk.as_bytes()).unwrap();
            }
            out.write_all(b"\"}\n").unwrap();
        };
        document("long", 10 << 20);
        document("huge", 300 << 20);
        out.write_all(b"{\"id\":\"small\",\"text\":\"\xe6\xb0\x91\xe8\xad\xa6\"}\n")
            .unwrap();
    }
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "ingest", "huge.jsonl", "--json"]));
    assert_eq!(code, 1, "a refused line makes the exit 1: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["inserted"], 2, "{report}");
    assert_eq!(report["warnings"], 1, "the cut is reported: {report}");
    assert_eq!(report["failed"][0]["line"], 2, "{report}");
    let error = report["failed"][0]["error"].as_str().unwrap();
    assert!(error.contains("16 MiB"), "{error}");
    let store = yuqing::store::Store::open_read_only(&dir.path().join("data/yuqing.db")).unwrap();
    assert!(store.get_item("huge").unwrap().is_none());
    assert!(
        store.get_item("small").unwrap().is_some(),
        "the line after goes in"
    );
    let long = store.get_item("long").unwrap().unwrap().item;
    assert!(
        long.body.len() <= 1_048_576 && long.body.len() > 1_000_000,
        "{}",
        long.body.len()
    );
    assert_eq!(search_json(dir.path(), "出警")["total"], 1);
}

#[test]
fn a_second_writer_gets_a_clear_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    write_jsonl(&dir.path().join("a.jsonl"), &[json!({"text": "民警"})]);
    let data = yuqing::datadir::DataDir::new(dir.path().join("data"));
    let held = data.lock().unwrap();
    let started = Instant::now();
    let (code, _, stderr) = run(yuqing(dir.path()).args(["--data", "data", "ingest", "a.jsonl"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("locked by another yuqing process"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "fails at once rather than waiting"
    );
    drop(held);
    let (code, _, stderr) = run(yuqing(dir.path()).args(["--data", "data", "ingest", "a.jsonl"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn kill_9_during_ingest_then_rerun_stores_every_item_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<serde_json::Value> = (0..20_000)
        .map(|i| json!({"id": format!("k{i}"), "kind": "post", "text": format!("第{i}条：派出所民警出警记录，编号{i}。")}))
        .collect();
    write_jsonl(&dir.path().join("many.jsonl"), &records);
    let mut child = yuqing(dir.path())
        .args(["--data", "data", "ingest", "many.jsonl"])
        .spawn()
        .unwrap();
    // Wait until some batches are committed, then kill without warning.
    let db = dir.path().join("data/yuqing.db");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut stored_before_kill = 0;
    while Instant::now() < deadline {
        if let Ok(store) = yuqing::store::Store::open_read_only(&db) {
            stored_before_kill = store.count_items().unwrap_or(0);
        }
        if stored_before_kill > 0 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(stored_before_kill > 0);

    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "ingest", "many.jsonl", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let inserted = report["inserted"].as_u64().unwrap();
    let unchanged = report["unchanged"].as_u64().unwrap();
    assert_eq!(inserted + unchanged, 20_000);
    assert!(unchanged >= stored_before_kill as u64);
    let store = yuqing::store::Store::open_read_only(&db).unwrap();
    assert_eq!(store.count_items().unwrap(), 20_000);
    assert_eq!(search_json(dir.path(), "派出所")["total"], 20_000);
    assert_eq!(search_json(dir.path(), "编号")["total"], 20_000);
}

#[test]
fn reindex_rebuilds_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    write_jsonl(
        &dir.path().join("a.jsonl"),
        &[json!({"text": "城关派出所"}), json!({"text": "东湖派出所"})],
    );
    run(yuqing(dir.path()).args(["--data", "data", "ingest", "a.jsonl"]));
    std::fs::remove_dir_all(dir.path().join("data/index")).unwrap();
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "reindex", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["indexed"], 2);
    assert_eq!(search_json(dir.path(), "派出所")["total"], 2);
}

#[test]
fn purge_removes_items_past_retention_from_database_and_index() {
    let dir = tempfile::tempdir().unwrap();
    let old = (chrono::Utc::now() - chrono::Duration::days(400)).to_rfc3339();
    let recent = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
    write_jsonl(
        &dir.path().join("a.jsonl"),
        &[
            json!({"id": "old", "text": "派出所旧帖，联系人张三", "published_at": old}),
            json!({"id": "new", "text": "派出所新帖", "published_at": recent}),
        ],
    );
    run(yuqing(dir.path()).args(["--data", "data", "ingest", "a.jsonl"]));
    // A digest of that time quoted the old item: its queued mail and its
    // outbox copy hold the text too.
    let then = chrono::Utc::now() - chrono::Duration::days(399);
    {
        let mut store = yuqing::store::Store::open(&dir.path().join("data/yuqing.db")).unwrap();
        let mail = yuqing::store::QueuedMail::new(
            "digest:daily:old:leaders",
            "舆情日报",
            &["leader@example.org".to_string()],
            "Subject: x\r\n\r\n派出所旧帖，联系人张三"
                .as_bytes()
                .to_vec(),
            then,
        );
        assert!(store.enqueue_mail(&mail).unwrap());
    }
    let outbox = dir.path().join("data/outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    for name in ["old-digest.html", "old-digest.eml"] {
        std::fs::write(outbox.join(name), "派出所旧帖，联系人张三").unwrap();
        std::fs::File::options()
            .write(true)
            .open(outbox.join(name))
            .unwrap()
            .set_modified(then.into())
            .unwrap();
    }
    std::fs::write(outbox.join("recent-digest.html"), "派出所新帖").unwrap();
    let (code, stdout, _) =
        run(yuqing(dir.path()).args(["--data", "data", "purge", "--dry-run", "--json"]));
    assert_eq!(code, 0);
    let dry: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (dry["matching"].as_u64(), dry["removed"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(search_json(dir.path(), "派出所")["total"], 2);

    assert!(
        outbox.join("old-digest.html").exists(),
        "a dry run deletes nothing"
    );
    let (code, stdout, stderr) = run(yuqing(dir.path())
        .args(["--data", "data", "purge", "--user", "ops"])
        .env_remove("YUQING_USER"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("removed 1 items"), "{stdout}");
    assert!(
        stdout.contains("emptied 1 queued mails and deleted 2 outbox files"),
        "{stdout}"
    );
    assert!(outbox.join("recent-digest.html").exists());
    let found = search_json(dir.path(), "派出所");
    assert_eq!(found["total"], 1);
    assert_eq!(found["hits"][0]["id"], "new");
    let store = yuqing::store::Store::open_read_only(&dir.path().join("data/yuqing.db")).unwrap();
    assert!(store.get_item("old").unwrap().is_none());
    assert_eq!(store.count_items().unwrap(), 1);
    // Who purged what is on record.
    let log = store.audit_entries(None, 10).unwrap();
    assert!(
        log.iter().any(|e| e.actor == "ops"
            && e.action == "purge"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("removed 1 items"))),
        "{log:?}"
    );
    drop(store);
    // The purged text is gone from every file, not just unreachable.
    let mut files = vec![];
    let mut stack = vec![dir.path().join("data")];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(path).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path)
            } else {
                files.push(path)
            }
        }
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let needle = "联系人张三".as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} still holds purged text",
            file.display()
        );
    }
}

#[test]
fn users_are_added_from_stdin_with_a_role_and_audited() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let add = |name: &str, role: &str, password: &str| {
        let mut child = yuqing(dir.path())
            .args([
                "user",
                "add",
                name,
                "--role",
                role,
                "--password-stdin",
                "--user",
                "admin-zhao",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    assert_eq!(add("li", "reviewer", "a-long-enough-password").0, 0);
    let (code, stderr) = add("wang", "admin", "short");
    assert_ne!(code, 0);
    assert!(stderr.contains("too short"), "{stderr}");
    let (code, stderr) = add("bad name", "analyst", "a-long-enough-password");
    assert_ne!(code, 0);
    assert!(stderr.contains("user name"), "{stderr}");
    let (code, stdout, _) = run(yuqing(dir.path()).args(["user", "list", "--json"]));
    assert_eq!(code, 0);
    let users: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        users,
        serde_json::json!([{"name": "li", "role": "reviewer"}])
    );
    let (_, stdout, _) = run(yuqing(dir.path()).args(["audit", "list", "--json"]));
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(log[0]["actor"], "admin-zhao");
    assert_eq!(log[0]["action"], "user.add");
    // Adding a user again changes the account; the role it had is kept on record.
    assert_eq!(add("li", "admin", "another-long-password").0, 0);
    let (_, stdout, _) = run(yuqing(dir.path()).args(["audit", "list", "--json"]));
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let change = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.change")
        .expect("a user.change entry");
    assert_eq!(
        (&change["before"], &change["after"]),
        (&json!("reviewer"), &json!("admin"))
    );
    // Removing a user ends their account, on record; a second time is an error.
    let remove = || run(yuqing(dir.path()).args(["user", "remove", "li", "--user", "admin-zhao"]));
    let (code, stdout, stderr) = remove();
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("removed user li (admin)"), "{stdout}");
    let (code, _, stderr) = remove();
    assert_ne!(code, 0);
    assert!(stderr.contains("no user `li`"), "{stderr}");
    let (_, stdout, _) = run(yuqing(dir.path()).args(["user", "list", "--json"]));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        json!([])
    );
    let (_, stdout, _) = run(yuqing(dir.path()).args(["audit", "list", "--json"]));
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "user.remove"
                && e["actor"] == "admin-zhao"
                && e["before"] == "admin"),
        "{log}"
    );
    // The password itself is nowhere in the database file.
    for file in ["data/yuqing.db", "data/yuqing.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(22).any(|w| w == b"a-long-enough-password"),
            "{file}"
        );
    }
}

/// A data directory in `dir/data` holding one flagged complaint (and so
/// one case) and one ordinary post; returns the case's number.
fn data_with_a_case(dir: &Path) -> String {
    write_jsonl(
        &dir.join("items.jsonl"),
        &[
            json!({"id": "c1", "kind": "post", "title": "城关派出所民警推诿",
                   "text": "打了三次110，城关派出所一直没人出警，民警态度恶劣。"}),
            json!({"id": "n1", "kind": "post", "text": "周末去江边骑车，风景很好。"}),
        ],
    );
    let (code, _, stderr) = run(yuqing(dir).args(["--data", "data", "ingest", "items.jsonl"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) =
        run(yuqing(dir).args(["--data", "data", "review", "list", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let cases: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    cases[0]["id"]
        .as_i64()
        .expect("the complaint raised a case")
        .to_string()
}

#[test]
fn usage_errors_found_after_parsing_exit_2_not_1() {
    let dir = tempfile::tempdir().unwrap();
    let case = data_with_a_case(dir.path());
    let data = ["--data", "data"];
    for (args, says) in [
        (
            vec!["search", "--from", "2026-13-01"],
            "--from `2026-13-01` is not a date",
        ),
        (
            vec!["search", "--to", "yesterday-ish"],
            "--to `yesterday-ish` is not a date",
        ),
        (
            vec!["review", "set", &case, "frobbed"],
            "unknown status `frobbed`",
        ),
        (
            vec!["review", "set", &case, "dismissed", "--reason", "bored"],
            "unknown reason `bored`",
        ),
        // The built-in defaults configure no sources.
        (vec!["crawl"], "no [[sources]] in the configuration"),
        (
            vec!["crawl", "--source", "weibo"],
            "no [[sources]] in the configuration",
        ),
    ] {
        let (code, stdout, stderr) = run(yuqing(dir.path()).args([&data[..], &args].concat()));
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
    // A case that does not exist, or a transition the workflow refuses,
    // is not a usage error: the same command is right for another case.
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "review", "set", "9999", "confirmed"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no case 9999"), "{stderr}");
}

#[test]
fn review_list_refuses_a_status_level_or_category_no_case_can_have() {
    let dir = tempfile::tempdir().unwrap();
    data_with_a_case(dir.path());
    for (flag, value, valid) in [
        ("--status", "foo", "in_review"),
        ("--level", "urgent", "critical"),
        ("--category", "foo", "violence_or_abuse"),
    ] {
        let (code, stdout, stderr) =
            run(yuqing(dir.path()).args(["--data", "data", "review", "list", flag, value]));
        assert_eq!(code, 2, "{flag} {value}: {stdout}{stderr}");
        assert!(!stdout.contains("No cases match"), "{stdout}");
        assert!(
            stderr.contains(&format!("'{value}'")) && stderr.contains(flag),
            "names the bad value: {stderr}"
        );
        assert!(stderr.contains(valid), "lists the valid ones: {stderr}");
    }
    let (code, stdout, stderr) = run(yuqing(dir.path()).args([
        "--data", "data", "review", "list", "--status", "new", "--level", "high", "--json",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let cases: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(cases.as_array().is_some(), "{stdout}");
}

#[test]
fn cases_are_assigned_to_accounts_once_there_are_any() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let case = data_with_a_case(dir.path());
    let assign = |who: &str| {
        run(yuqing(dir.path()).args(["--data", "data", "review", "assign", &case, who]))
    };
    // No web accounts (a command-line office): any name that is a word.
    let (code, stdout, stderr) = assign("李明");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("assigned to 李明"), "{stdout}");
    let (code, _, stderr) = assign("li ming; rm");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be an assignee"), "{stderr}");

    // With accounts, only them.
    let mut child = yuqing(dir.path())
        .args([
            "--data", "data", "user", "add", "wang", "--role", "reviewer",
        ])
        .arg("--password-stdin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "a-long-enough-password").unwrap();
    assert!(child.wait().unwrap().success());
    let (code, _, stderr) = assign("alice");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no user `alice`"), "{stderr}");
    assert!(
        stderr.contains("use one of wang"),
        "lists the accounts: {stderr}"
    );
    assert!(
        stderr.contains("yuqing user add alice --role reviewer"),
        "says how to add one: {stderr}"
    );
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "review", "show", &case, "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        shown["case"]["assignee"], "李明",
        "the refusal changed nothing"
    );
    let (code, _, stderr) = assign("wang");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn trends_takes_only_the_windows_it_has() {
    let dir = tempfile::tempdir().unwrap();
    data_with_a_case(dir.path());
    for window in ["2h", "7d", "1d"] {
        let (code, stdout, stderr) =
            run(yuqing(dir.path()).args(["--data", "data", "trends", "--window", window]));
        assert_eq!(code, 2, "{window}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "nothing detected: {stdout}");
        assert!(
            stderr.contains(&format!("'{window}'"))
                && stderr.contains("use 1h")
                && stderr.contains("24h"),
            "{stderr}"
        );
    }
    for window in ["1h", "24h"] {
        let (code, _, stderr) = run(
            yuqing(dir.path()).args(["--data", "data", "trends", "--window", window, "--json"])
        );
        assert_eq!(code, 0, "{window}: {stderr}");
    }
}

#[test]
fn digest_json_says_queued_while_the_message_waits_in_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    data_with_a_case(dir.path());
    // A port nobody listens on: the mail server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let digest =
        "[digest]\nrecipients = [\"leader@example.gov.cn\"]\nfrom = \"yuqing@example.gov.cn\"\n";
    std::fs::write(dir.path().join("local.toml"), digest).unwrap();
    std::fs::write(
        dir.path().join("down.toml"),
        format!("{digest}smtp_url = \"smtp://127.0.0.1:{port}\"\ntimeout_secs = 5\n"),
    )
    .unwrap();
    let send = |config: &str, json: bool| {
        let mut args = vec!["--config", config, "--data", "data", "digest", "--send"];
        if json {
            args.push("--json");
        }
        run(yuqing(dir.path()).args(args))
    };
    // The digest of a period is queued once: `new` the first time it is
    // asked for (a run across the turn of the hour starts a new period).
    let mut keys: Vec<String> = Vec::new();
    let mut check = |made: &serde_json::Value| {
        let key = made[0]["key"].as_str().unwrap().to_string();
        assert_eq!(made[0]["new"], !keys.contains(&key), "{made}");
        keys.push(key);
    };
    // Without a mail server configured: queued, then still queued.
    for round in 1..=2 {
        let (code, stdout, stderr) = send("local.toml", true);
        assert_eq!(code, 0, "{round}: {stderr}");
        let made: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        check(&made);
        assert_eq!(
            (&made[0]["queued"], &made[0]["sent"]),
            (&json!(true), &json!(false)),
            "round {round}: {made}"
        );
    }
    let (_, stdout, _) = send("local.toml", false);
    assert!(stdout.contains("waits in the queue"), "{stdout}");
    // The server is down: every attempt fails and the message stays
    // queued, in the JSON as in the words and the database.
    for round in 1..=2 {
        let (code, stdout, stderr) = send("down.toml", true);
        assert_eq!(code, 1, "{round}: {stderr}");
        let made: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        check(&made);
        assert_eq!(made[0]["queued"], true, "round {round}: {made}");
        assert!(made[0]["error"].is_string(), "{made}");
    }
    let (code, stdout, _) = send("down.toml", false);
    assert_eq!(code, 1);
    assert!(stdout.contains("stays queued and is retried"), "{stdout}");
    let store = yuqing::store::Store::open_read_only(&dir.path().join("data/yuqing.db")).unwrap();
    for key in &keys {
        assert_eq!(store.queued_mail(key).unwrap().unwrap().status, "queued");
    }
}

#[test]
fn eval_json_names_the_false_negatives_fn() {
    let dir = tempfile::tempdir().unwrap();
    let gold = [
        json!({"id": "g1", "text": "派出所民警态度恶劣，对报警的老人大声呵斥。",
               "label": {"police_complaint": true, "category": "attitude"}}),
        // A complaint the detector cannot see: a false negative.
        json!({"id": "g2", "text": "今天天气不错。",
               "label": {"police_complaint": true, "category": "other_police"}}),
        json!({"id": "g3", "text": "感谢民警帮我找回了走失的孩子。",
               "label": {"police_complaint": false}}),
    ];
    write_jsonl(&dir.path().join("gold.jsonl"), &gold);
    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["eval", "gold.jsonl", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(report.get("fn_").is_none(), "{report}");
    assert_eq!(report["fn"], 1, "{report}");
    let counts: u64 = ["tp", "fp", "fn", "tn"]
        .iter()
        .map(|key| report[key].as_u64().unwrap())
        .sum();
    assert_eq!(counts, 3, "{report}");
}

#[test]
fn review_report_json_carries_the_precision_the_words_show() {
    let dir = tempfile::tempdir().unwrap();
    let case = data_with_a_case(dir.path());
    let report = || {
        let (code, stdout, stderr) =
            run(yuqing(dir.path()).args(["--data", "data", "review", "report", "--json"]));
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()
    };
    // Nothing decided yet: no figure.
    let before = report();
    assert!(before["precision"].is_null(), "{before}");
    assert_eq!(before["decided"], 0, "{before}");
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "review", "set", &case, "confirmed"]));
    assert_eq!(code, 0, "{stderr}");
    let after = report();
    assert_eq!(
        (&after["decided"], &after["confirmed"], &after["precision"]),
        (&json!(1), &json!(1), &json!(1.0)),
        "{after}"
    );
    assert!(
        after["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["status"] == "confirmed" && row["cases"] == 1),
        "{after}"
    );
    let (_, stdout, _) = run(yuqing(dir.path()).args(["--data", "data", "review", "report"]));
    assert!(
        stdout.contains("Precision as judged by reviewers: 1/1 = 1.000"),
        "{stdout}"
    );
}

#[test]
fn review_raise_json_says_what_was_raised() {
    let dir = tempfile::tempdir().unwrap();
    // Petitions a month without reply: not yet due when imported under a
    // 60-day rule, due under the default 15 days — the one about police;
    // the broken street lamp is not the police conduct office's business.
    std::fs::write(
        dir.path().join("patient.toml"),
        "[review]\npetition_reply_days = 60\n",
    )
    .unwrap();
    let old = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc3339();
    write_jsonl(
        &dir.path().join("petition.jsonl"),
        &[
            json!({"id": "pt1", "kind": "petition", "title": "小区门口路灯坏了",
                 "text": "小区门口路灯坏了一个月，晚上很黑。", "status": "未回复",
                 "published_at": old}),
            json!({"id": "pt2", "kind": "petition", "title": "咨询户口迁移",
                 "text": "请问把户口迁到江城，需要到哪个派出所办理，带哪些材料？", "status": "未回复",
                 "published_at": old}),
        ],
    );
    let (code, _, stderr) = run(yuqing(dir.path()).args([
        "--config",
        "patient.toml",
        "--data",
        "data",
        "ingest",
        "petition.jsonl",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let raise = || {
        let (code, stdout, stderr) =
            run(yuqing(dir.path()).args(["--data", "data", "review", "raise", "--json"]));
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str::<serde_json::Value>(&stdout)
            .unwrap_or_else(|e| panic!("{e}: {stdout}"))
    };
    assert_eq!(raise(), json!({"items": 0, "trends": 0, "petitions": 1}));
    assert_eq!(raise(), json!({"items": 0, "trends": 0, "petitions": 0}));
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "review", "list", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let cases: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let subjects: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["petition:pt2"]);
}

#[test]
fn review_list_says_when_it_shows_fewer_than_match() {
    let dir = tempfile::tempdir().unwrap();
    // Five petitions to the police a month without reply: a case each.
    let old = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc3339();
    let petitions: Vec<serde_json::Value> = [
        "居住证",
        "临时身份证",
        "户口迁移",
        "无犯罪记录证明",
        "户籍证明",
    ]
    .iter()
    .enumerate()
    .map(|(n, matter)| {
        json!({"id": format!("pt{n}"), "kind": "petition", "title": format!("咨询{matter}"),
           "text": format!("请问到派出所办理{matter}需要带哪些材料？"), "status": "未回复",
           "published_at": old})
    })
    .collect();
    write_jsonl(&dir.path().join("petitions.jsonl"), &petitions);
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "ingest", "petitions.jsonl"]));
    assert_eq!(code, 0, "{stderr}");
    let list = |limit: &str, json: bool| {
        let mut args = vec!["--data", "data", "review", "list", "--limit", limit];
        if json {
            args.push("--json");
        }
        run(yuqing(dir.path()).args(args))
    };
    let (code, stdout, stderr) = list("3", false);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("showing 3 of 5 cases; use --limit N to see more (--limit 5 shows all)"),
        "{stdout}"
    );
    // --json stays an array of what is shown; the note goes to stderr.
    let (code, stdout, stderr) = list("3", true);
    assert_eq!(code, 0, "{stderr}");
    let cases: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(cases.as_array().unwrap().len(), 3);
    assert!(stderr.contains("showing 3 of 5 cases"), "{stderr}");
    // All shown: no note.
    let (code, stdout, stderr) = list("5", false);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("showing"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1 + 5, "{stdout}");
    let (code, _, stderr) = list("0", false);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("must be at least 1"), "{stderr}");
}

#[test]
fn search_refuses_limit_0_and_says_when_the_offset_is_past_the_last_hit() {
    let dir = tempfile::tempdir().unwrap();
    data_with_a_case(dir.path());
    for json in [false, true] {
        let mut args = vec!["--data", "data", "search", "--limit", "0"];
        if json {
            args.push("--json");
        }
        let (code, stdout, stderr) = run(yuqing(dir.path()).args(args));
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains("--limit") && stderr.contains("must be at least 1"),
            "{stderr}"
        );
    }
    let (code, stdout, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "search", "--offset", "1000"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout.trim(),
        "2 results for everything (no hits on this page: --offset 1000 is past the last)"
    );
    let (_, stdout, _) =
        run(yuqing(dir.path()).args(["--data", "data", "search", "--offset", "1", "--limit", "1"]));
    assert!(
        stdout.starts_with("2 results for everything (showing 2–2)"),
        "{stdout}"
    );
}

#[test]
fn digest_refuses_a_period_of_nothing() {
    let dir = tempfile::tempdir().unwrap();
    data_with_a_case(dir.path());
    for since in ["0h", "0d"] {
        let (code, stdout, stderr) = run(yuqing(dir.path()).args([
            "--data",
            "data",
            "digest",
            "--dry-run",
            "--since",
            since,
        ]));
        assert_eq!(code, 2, "{since}: {stdout}{stderr}");
        assert!(stderr.contains("longer than nothing"), "{stderr}");
    }
    assert!(
        !dir.path().join("data/outbox").exists(),
        "nothing was written"
    );
    let (code, _, stderr) =
        run(yuqing(dir.path()).args(["--data", "data", "digest", "--dry-run", "--since", "1h"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn an_age_too_long_for_the_calendar_is_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    data_with_a_case(dir.path());
    for args in [
        vec!["search", "--since", "999999999w"],
        vec!["search", "--since", "99999999999999w"],
        vec!["digest", "--dry-run", "--since", "99999999999999w"],
    ] {
        let (code, stdout, stderr) =
            run(yuqing(dir.path()).args([&["--data", "data"][..], &args].concat()));
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("too long"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
