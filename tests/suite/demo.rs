//! `yuqing demo`: the README's first command works in an empty folder, serves
//! its six demo sites on 127.0.0.1 and crawls them with the real crawler, is
//! idempotent, and keeps the newest demo item at "now".

use super::common::{run, yuqing};

#[test]
fn demo_crawls_its_local_sites_indexes_and_shows_a_highlighted_search() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["demo", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let site = summary["site"].as_str().unwrap();
    assert!(site.starts_with("http://127.0.0.1:"), "{site}");
    let import = &summary["import"];
    assert_eq!(import["records"], 368, "{import}");
    assert_eq!(import["inserted"], 368, "{import}");
    assert_eq!(import["rejected"], 0, "{import}");
    assert!(import["redacted"]["id_numbers"].as_u64().unwrap() >= 10);
    assert_eq!(summary["items_by_kind"]["post"], 185);
    assert_eq!(summary["items_by_kind"]["news"], 72);
    assert_eq!(summary["items_by_kind"]["petition"], 111);
    // The spike story: its twelve copies, from several sources, are one story.
    assert_eq!(
        summary["stories"][0]["copies"], 12,
        "{}",
        summary["stories"]
    );
    // The digest for leadership is written to the outbox.
    let digest = summary["digest"].as_str().expect("a digest path");
    assert!(
        std::fs::read_to_string(digest)
            .unwrap()
            .contains("舆情日报")
    );

    // Six sources, each crawled over HTTP from the local site, every item new.
    let sources = summary["sources"].as_array().unwrap();
    let expected = [
        ("city-news", "feed", 37),
        ("metro-daily", "html", 35),
        ("weibo-public", "json", 85),
        ("tieba-forum", "html", 100),
        ("mayor-board", "petition", 52),
        ("police-board", "petition", 59),
    ];
    assert_eq!(sources.len(), expected.len());
    for (source, (name, kind, items)) in sources.iter().zip(expected) {
        assert_eq!(source["source"], name);
        assert_eq!(source["kind"], kind, "{source}");
        assert_eq!(source["ok"], true, "{source}");
        assert_eq!(source["items"], items, "{source}");
        assert_eq!(source["new"], items, "{source}");
        assert!(source["url"].as_str().unwrap().starts_with(site));
    }
    // The news site's pages are GBK, declared only in <meta charset>.
    let metro = &sources[1];
    assert_eq!(metro["encoding"], "GB18030", "{metro}");

    // A second run (same data directory, so the same port and page URLs)
    // finds everything stored: nothing is inserted twice.
    let (code, stdout, stderr) = run(yuqing(dir.path()).args(["demo", "--once"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(site), "the same site address: {stdout}");
    assert!(stdout.contains("(0 new,"), "{stdout}");
    assert!(stdout.contains("The store now holds 368 items"), "{stdout}");
    assert!(stdout.contains("GB18030"), "{stdout}");
    assert!(stdout.contains("【派出所】"), "highlights shown: {stdout}");
    assert!(stdout.contains("Try next"), "{stdout}");
    assert!(dir.path().join("data/yuqing.db").exists());

    // The newest item is about now: a 1-day window finds the spike story.
    let (code, stdout, _) =
        run(yuqing(dir.path()).args(["search", "红薯", "--since", "1d", "--json"]));
    assert_eq!(code, 0);
    let found: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(found["total"].as_u64().unwrap() >= 10, "{found}");
}
