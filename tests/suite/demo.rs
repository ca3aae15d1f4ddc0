//! `yuqing demo`: the README's first command works in an empty folder, is
//! idempotent, and keeps the newest demo item at "now".

use super::common::{run, yuqing};

#[test]
fn demo_loads_indexes_and_shows_a_highlighted_search() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["demo", "--once"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("368 records (368 new"), "{stdout}");
    assert!(stdout.contains("【派出所】"), "highlights shown: {stdout}");
    assert!(stdout.contains("Try next"), "{stdout}");
    assert!(dir.path().join("data/yuqing.db").exists());

    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["demo", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let import = &summary["import"];
    assert_eq!(import["inserted"], 0, "a second run adds nothing");
    assert_eq!(
        import["updated"].as_u64().unwrap() + import["unchanged"].as_u64().unwrap(),
        368
    );
    assert_eq!(summary["items_by_kind"]["petition"], 111);
    assert!(import["redacted"]["id_numbers"].as_u64().unwrap() >= 10);

    // The newest item is about now: a 1-day window finds the spike story.
    let (code, stdout, _) =
        run(yuqing(dir.path()).args(["search", "红薯", "--since", "1d", "--json"]));
    assert_eq!(code, 0);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(found["total"].as_u64().unwrap() >= 10, "{found}");
}
