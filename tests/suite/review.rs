//! Trends, topics, the review queue and the audit log, end to end through
//! the CLI: a steady background replayed over 15 days with an injected
//! spike of complaints about one police unit in the last hour. The spike is
//! a trend within its hour, the background is not; the spike's copies make
//! one case; case changes land in the hash-chained audit log, and an edited
//! row is caught.

use super::common::{run, write_jsonl, yuqing};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

/// Ordinary city posts (written for this test), repeated through the days.
const BACKGROUND: [&str; 12] = [
    "地铁三号线今天早高峰有点挤，不过比开车快多了。",
    "明天降温，大家出门记得加衣服，天气预报说有小雨。",
    "东湖公园的银杏叶黄了，周末带孩子去拍照。",
    "菜市场的草莓今天十块钱一斤，比超市便宜。",
    "市图书馆新开了自习区，环境很安静，就是座位不太好抢。",
    "江城马拉松报名开始了，今年名额比去年多。",
    "老街那家牛肉面馆重新装修了，味道还是原来的。",
    "学校运动会下周举行，孩子报了跳远。",
    "夜市灯会这周末开幕，听说有很多小吃摊。",
    "公交二十路调整线路了，不再经过火车站。",
    "小区门口的绿化带重新种了花，看着舒服多了。",
    "周末去江边骑车，风景很好，就是风有点大。",
];

/// One event — an officer at 西山派出所 beating a delivery rider — told
/// nine ways, reposts included (written for this test).
const SPIKE: [&str; 9] = [
    "西山派出所门口，一个民警把送外卖的小哥按在地上打，小哥一直喊疼，围观的人都看不下去了。",
    "转发：西山派出所门口民警把外卖小哥按在地上打，小哥一直喊疼。——这也太过分了吧",
    "刚在西山派出所门口看到民警殴打外卖小哥，按在地上打了好几下，太吓人了。",
    "西山派出所的民警打外卖小哥的视频谁看了？按在地上打，小哥就是电动车停错了位置。",
    "【扩散】西山派出所民警当街殴打外卖小哥，小哥被按在地上喊疼，求官方回应！",
    "转发：【扩散】西山派出所民警当街殴打外卖小哥，小哥被按在地上喊疼。——西山区公安分局出来说话",
    "外卖小哥在西山派出所门口被民警按在地上打，就因为电动车停错了，执法能不能文明点？",
    "西山派出所民警殴打外卖小哥一事，希望西山区公安分局尽快调查民警打人的事，给公众一个交代。",
    "看了西山派出所门口那段视频，民警把外卖小哥按在地上打，心里很不是滋味。",
];

fn records() -> Vec<Value> {
    let now = Utc::now();
    let mut records = Vec::new();
    // Two posts an hour for 15 days, the last in the current hour.
    for hour in 0..15 * 24 {
        for slot in 0..2 {
            let n = hour * 2 + slot;
            let at = now - Duration::hours(hour as i64) - Duration::minutes(10 + 20 * slot as i64);
            records.push(json!({
                "id": format!("bg-{n}"),
                "source": "weibo",
                "kind": "post",
                "title": "",
                "text": BACKGROUND[n % BACKGROUND.len()],
                "published_at": at.to_rfc3339(),
            }));
        }
    }
    // The spike fills the last complete clock hour (whatever the minute
    // the test runs at, it is one hourly bucket).
    let hour_start = now.timestamp() / 3600 * 3600 - 3600;
    let hour_start = chrono::DateTime::from_timestamp(hour_start, 0).unwrap();
    for (n, text) in SPIKE.iter().enumerate() {
        let at = hour_start + Duration::minutes(2 + 6 * n as i64);
        records.push(json!({
            "id": format!("spike-{n}"),
            "source": "forum",
            "kind": "post",
            "title": "",
            "text": text,
            "published_at": at.to_rfc3339(),
        }));
    }
    records
}

fn json_of(args: &[&str], dir: &std::path::Path) -> Value {
    let (code, stdout, stderr) = run(yuqing(dir).args(args));
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

#[test]
fn a_spike_is_a_trend_and_one_case_and_every_decision_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    std::fs::write(
        path.join("yuqing.toml"),
        "[storage]\ndata_dir = \"data\"\n\n[[topics]]\nname = \"西山\"\nquery = '西山派出所 OR (西山 AND 民警)'\n",
    )
    .unwrap();
    write_jsonl(&path.join("replay.jsonl"), &records());
    let c = ["--config", "yuqing.toml"];
    let report = json_of(
        &[&c[..], &["ingest", "replay.jsonl", "--json"]].concat(),
        path,
    );
    assert_eq!(report["inserted"], 15 * 24 * 2 + 9);
    assert!(
        report["cases_raised"]["items"].as_u64().unwrap() >= 1,
        "{report}"
    );

    // The spike rose within the hour; the background did not.
    let trends = json_of(
        &[&c[..], &["trends", "--window", "1h", "--json"]].concat(),
        path,
    );
    let trends = trends.as_array().unwrap();
    let found = |dim: &str, key: &str| {
        trends
            .iter()
            .find(|t| t["dimension"] == dim && t["key"] == key)
    };
    let unit = found("unit", "西山派出所").unwrap_or_else(|| panic!("{trends:#?}"));
    assert_eq!(unit["window"], "hour");
    assert!(unit["current"].as_u64().unwrap() >= 8, "{unit}");
    assert!(!unit["examples"].as_array().unwrap().is_empty());
    assert!(found("topic", "西山").is_some(), "topics trend too");
    let story = trends
        .iter()
        .find(|t| t["dimension"] == "story")
        .expect("the copies are one story, rising");
    assert!(story["current"].as_u64().unwrap() >= 7, "{story}");
    for trend in trends {
        let key = trend["key"].as_str().unwrap();
        assert!(
            !BACKGROUND.iter().any(|text| text.contains(key)) || key.contains("西山"),
            "the steady background is not a trend: {trend}"
        );
        assert_ne!(trend["key"], "weibo", "weibo's steady volume: {trend}");
    }
    // Topics are searchable.
    let hits = json_of(
        &[
            &c[..],
            &["search", "topic:西山", "--json", "--user", "analyst-li"],
        ]
        .concat(),
        path,
    );
    assert_eq!(hits["total"], 9);
    let searches = json_of(
        &[
            &c[..],
            &["audit", "list", "--target", "topic:西山", "--json"],
        ]
        .concat(),
        path,
    );
    assert_eq!(
        searches[0]["actor"], "analyst-li",
        "searches are audited: {searches}"
    );
    assert_eq!(searches[0]["detail"], "9 results");

    // One case for the story, not one per copy; the trend is a case too.
    let cases = json_of(&[&c[..], &["review", "list", "--json"]].concat(), path);
    let cases = cases.as_array().unwrap();
    let story_cases: Vec<&Value> = cases
        .iter()
        .filter(|case| {
            case["origin"] == "item"
                && case["item_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("spike-"))
        })
        .collect();
    assert_eq!(story_cases.len(), 1, "{cases:#?}");
    let case = story_cases[0];
    assert_eq!(case["status"], "new");
    assert_eq!(case["detail"]["copies"].as_u64(), Some(9), "{case}");
    assert!(cases.iter().any(|c| c["origin"] == "trend"), "{cases:#?}");
    let id = case["id"].as_i64().unwrap().to_string();

    // Work the case; a dismissal without a reason is refused.
    let me = ["--user", "analyst-li"];
    let (code, _, stderr) =
        run(yuqing(path).args([&c[..], &["review", "set", &id, "dismissed"], &me[..]].concat()));
    assert_ne!(code, 0);
    assert!(stderr.contains("--reason"), "{stderr}");
    let (code, _, stderr) =
        run(yuqing(path)
            .args([&c[..], &["review", "assign", &id, "reviewer-wang"], &me[..]].concat()));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(yuqing(path).args(
        [
            &c[..],
            &[
                "review",
                "set",
                &id,
                "confirmed",
                "--note",
                "视频核实属实，已转督察",
            ],
            &me[..],
        ]
        .concat(),
    ));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(yuqing(path).args(
        [
            &c[..],
            &["review", "set", &id, "dismissed", "--reason", "praise"],
            &me[..],
        ]
        .concat(),
    ));
    assert_ne!(code, 0, "confirmed → dismissed must be reopened first");
    assert!(stderr.contains("in_review"), "{stderr}");
    let shown = json_of(
        &[&c[..], &["review", "show", &id, "--json"], &me[..]].concat(),
        path,
    );
    assert_eq!(shown["case"]["status"], "confirmed");
    assert_eq!(shown["case"]["assignee"], "reviewer-wang");
    assert_eq!(shown["notes"][0]["note"], "视频核实属实，已转督察");

    // Who decided what, and who looked.
    let target = format!("case:{id}");
    let log = json_of(
        &[&c[..], &["audit", "list", "--target", &target, "--json"]].concat(),
        path,
    );
    let actions: Vec<(&str, &str, Option<&str>)> = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["after"].as_str(),
            )
        })
        .collect();
    assert_eq!(actions[0], ("system", "case.create", Some("new")));
    assert!(
        actions.contains(&("analyst-li", "case.assign", Some("reviewer-wang"))),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("analyst-li", "case.status", Some("confirmed"))),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("analyst-li", "case.view", None)),
        "{actions:?}"
    );
    let (code, stdout, _) = run(yuqing(path).args([&c[..], &["audit", "verify"]].concat()));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("intact"), "{stdout}");

    // Someone edits the log behind yuqing's back: verify says where.
    let db = rusqlite::Connection::open(path.join("data/yuqing.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET after = 'dismissed' WHERE action = 'case.status' AND after = 'confirmed';",
    )
    .unwrap();
    let (code, stdout, _) = run(yuqing(path).args([&c[..], &["audit", "verify"]].concat()));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("BROKEN"), "{stdout}");

    // Reviewers' decisions feed back.
    let report = json_of(&[&c[..], &["review", "report", "--json"]].concat(), path);
    assert!(
        report["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["status"] == "confirmed"),
        "{report}"
    );
}

#[test]
fn a_case_follows_its_item_when_the_item_changes_at_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let write = |text: &str| {
        write_jsonl(
            &path.join("board.jsonl"),
            &[
                json!({"id": "u-1", "source": "board", "kind": "petition", "title": "", "text": text}),
            ],
        );
    };
    // First the petition says nobody came; then its writer edits it to say
    // how the officer spoke to them.
    write("半夜家里进了小偷，打了三次110，派出所一直没有出警，到天亮都没人来。");
    json_of(&["--data", "data", "ingest", "board.jsonl", "--json"], path);
    let cases = json_of(&["--data", "data", "review", "list", "--json"], path);
    assert_eq!(cases.as_array().unwrap().len(), 1, "{cases}");
    let before = cases[0]["category"].as_str().unwrap().to_string();
    write("去派出所办事，值班民警对我破口大骂，还说再来就把我赶出去，态度极其恶劣。");
    json_of(&["--data", "data", "ingest", "board.jsonl", "--json"], path);
    let cases = json_of(&["--data", "data", "review", "list", "--json"], path);
    assert_eq!(
        cases.as_array().unwrap().len(),
        1,
        "still one case: {cases}"
    );
    assert_eq!(cases[0]["category"], "attitude", "{cases}");
    assert_ne!(before, "attitude");
    // Untitled, the case is named by the head of the text it says now.
    assert!(
        cases[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("去派出所办事"),
        "{cases}"
    );
    let log = json_of(&["--data", "data", "audit", "list", "--json"], path);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "case.category" && e["before"] == before.as_str()),
        "{log}"
    );
}

#[test]
fn rows_cut_off_the_end_of_the_audit_log_are_found_against_a_noted_head() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    write_jsonl(
        &path.join("board.jsonl"),
        &[
            json!({"id": "u-1", "kind": "petition", "text": "报警好几天了，派出所一直不立案，也没人联系我。"}),
        ],
    );
    json_of(&["--data", "data", "ingest", "board.jsonl", "--json"], path);
    let me = ["--user", "analyst-li"];
    for action in [["review", "show", "1"], ["review", "show", "1"]] {
        let (code, _, stderr) =
            run(yuqing(path).args([&["--data", "data"][..], &action, &me].concat()));
        assert_eq!(code, 0, "{stderr}");
    }
    // The head as the digest prints it: the row and its hash's first 16.
    let check = json_of(&["--data", "data", "audit", "verify", "--json"], path);
    let seq = check["head"][0].as_i64().unwrap();
    let hash = &check["head"][1].as_str().unwrap()[..16];
    let head = format!("{seq}:{hash}");
    let verify = |extra: &[&str]| {
        run(yuqing(path).args([&["--data", "data", "audit", "verify"][..], extra].concat()))
    };
    let (code, stdout, _) = verify(&["--head", &head]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("the noted head still there"), "{stdout}");
    // The last row is deleted behind yuqing's back: the chain alone is
    // still whole, the noted head is not.
    let db = rusqlite::Connection::open(path.join("data/yuqing.db")).unwrap();
    db.execute_batch(&format!(
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = {seq};"
    ))
    .unwrap();
    drop(db);
    let (code, stdout, _) = verify(&[]);
    assert_eq!(code, 0, "a chain cannot see its own end cut: {stdout}");
    let (code, stdout, _) = verify(&["--head", &head]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("cut off the end"), "{stdout}");
    let (code, _, stderr) = verify(&["--head", "12:abc"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("16 hex"), "{stderr}");
}
