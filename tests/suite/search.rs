//! Search end to end through the real ingest path: recall and precision of
//! words, parts of words and phrases; exact highlights amid Chinese
//! punctuation; boolean logic, filters, facets, sorting, reindexing.

use super::common::Fixture;
use serde_json::json;
use yuqing::index::{SearchRequest, SortOrder};
use yuqing::model::ItemKind;

/// Texts written for these tests.
fn corpus() -> Vec<serde_json::Value> {
    vec![
        json!({"id": "n1", "kind": "news", "source": "city-news", "title": "城关派出所开展反诈宣传",
               "text": "11月20日，城关派出所民警走进社区，向居民讲解防范电信诈骗知识。", "published_at": "2026-11-20 09:00"}),
        json!({"id": "p1", "kind": "post", "source": "weibo", "title": "",
               "text": "昨晚家门口有人打架，打了三次110，城关派出所一直没人出警，态度还很差。", "published_at": "2026-11-21 22:10"}),
        json!({"id": "p2", "kind": "post", "source": "weibo", "title": "",
               "text": "市民称：“城关派出所”、东湖派出所——均未出警。", "published_at": "2026-11-22 08:00"}),
        json!({"id": "t1", "kind": "petition", "source": "mayor-board", "title": "反映户籍窗口办事难",
               "text": "我去东湖派出所户籍窗口办理户口迁移，来回跑了五趟，民警态度冷淡。", "published_at": "2026-11-23 10:00"}),
        json!({"id": "p3", "kind": "post", "source": "tieba", "title": "城关 小吃推荐",
               "text": "城关老街的小吃很多，推荐给大家。附近就有一个派出所。", "published_at": "2026-11-24 12:00"}),
        json!({"id": "n2", "kind": "news", "source": "metro-daily", "title": "交警支队发布出行提醒",
               "text": "受降雪影响，江城市交警支队提醒市民注意出行安全，减速慢行。", "published_at": "2026-11-25 07:30"}),
        json!({"id": "p4", "kind": "post", "source": "weibo", "title": "",
               "text": "城管把我的摊子收走了，跟警察没有关系，吐槽一下城管。", "published_at": "2026-11-26 15:00"}),
        json!({"id": "n3", "kind": "news", "source": "city-news", "title": "Police station opens",
               "text": "The new POLICE station in 东湖 opened today.", "published_at": "2026-11-27 11:00"}),
    ]
}

fn fixture() -> Fixture {
    let mut fixture = Fixture::new();
    let report = fixture.ingest(&corpus());
    assert_eq!(report.inserted, 8);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    fixture
}

#[test]
fn a_word_finds_exactly_the_items_containing_it() {
    let f = fixture();
    let texts = corpus();
    for term in [
        "派出所",
        "民警",
        "出警",
        "城关",
        "户籍窗口",
        "交警支队",
        "城管",
    ] {
        let mut expected: Vec<String> = texts
            .iter()
            .filter(|r| {
                format!(
                    "{}{}",
                    r["title"].as_str().unwrap(),
                    r["text"].as_str().unwrap()
                )
                .contains(term)
            })
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        expected.sort();
        assert_eq!(f.ids(term), expected, "term {term}");
    }
}

#[test]
fn parts_of_compound_words_are_found_too() {
    let f = fixture();
    // 派出 is inside 派出所; 户籍 inside 户籍窗口.
    assert_eq!(f.ids("派出"), vec!["n1", "p1", "p2", "p3", "t1"]);
    assert_eq!(f.ids("户籍"), vec!["t1"]);
}

#[test]
fn phrases_need_adjacent_words() {
    let f = fixture();
    assert_eq!(f.ids("\"城关 派出所\""), vec!["n1", "p1", "p2"]);
    assert_eq!(f.ids("城关派出所"), vec!["n1", "p1", "p2"]);
    // p3 has both words, but not next to each other.
    assert_eq!(f.ids("城关 派出所"), vec!["n1", "p1", "p2", "p3"]);
}

#[test]
fn highlights_mark_exactly_the_term_amid_chinese_punctuation() {
    let f = fixture();
    for term in ["派出所", "出警", "民警"] {
        let results = f.search(term);
        assert!(!results.hits.is_empty());
        for hit in &results.hits {
            let chars: Vec<char> = hit.snippet.chars().collect();
            let count = hit.snippet.matches(term).count();
            let title_only = hit.title.contains(term) && count == 0;
            if !title_only {
                assert_eq!(hit.highlights.len(), count, "{term} in {}", hit.snippet);
            }
            for [start, end] in &hit.highlights {
                let marked: String = chars[*start..*end].iter().collect();
                assert_eq!(marked, term, "snippet {}", hit.snippet);
            }
        }
    }
    let p2 = f
        .search("派出所")
        .hits
        .into_iter()
        .find(|h| h.id == "p2")
        .unwrap();
    assert_eq!(p2.snippet, "市民称：“城关派出所”、东湖派出所——均未出警。");
    assert_eq!(p2.highlights, vec![[7, 10], [14, 17]]);
}

#[test]
fn boolean_operators_and_exclusions() {
    let f = fixture();
    assert_eq!(f.ids("派出所 AND 态度"), vec!["p1", "t1"]);
    assert_eq!(f.ids("城管 OR 交警支队"), vec!["n2", "p4"]);
    assert_eq!(f.ids("派出所 -城关"), vec!["t1"]);
    assert_eq!(f.ids("派出所 NOT 出警"), vec!["n1", "p3", "t1"]);
    assert_eq!(f.ids("(城管 OR 户籍) AND 民警"), vec!["t1"]);
    assert_eq!(f.ids("NOT 派出所").len(), 3);
}

#[test]
fn field_filters_and_case_folding() {
    let f = fixture();
    assert_eq!(f.ids("kind:news"), vec!["n1", "n2", "n3"]);
    assert_eq!(f.ids("派出所 kind:petition"), vec!["t1"]);
    assert_eq!(f.ids("source:weibo 出警"), vec!["p1", "p2"]);
    assert_eq!(f.ids("title:户籍"), vec!["t1"]);
    // The detector ran at ingest: the three complaints about police are flagged.
    assert_eq!(f.ids("flagged:true"), vec!["p1", "p2", "t1"]);
    assert_eq!(f.ids("flagged:false").len(), 5);
    assert_eq!(f.ids("category:inaction"), vec!["p1", "p2"]);
    assert_eq!(f.ids("category:slow_service 户籍"), vec!["t1"]);
    assert_eq!(f.ids("police"), vec!["n3"]);
    assert_eq!(f.ids("POLICE"), vec!["n3"]);
}

#[test]
fn date_range_sort_and_paging() {
    let f = fixture();
    let mut request = SearchRequest::new("");
    request.sort = SortOrder::Time;
    request.limit = 3;
    let newest: Vec<String> = f.request_ids(&request);
    assert_eq!(newest, vec!["n3", "p4", "n2"]);
    request.offset = 3;
    let next: Vec<String> = f.request_ids(&request);
    assert_eq!(next, vec!["p3", "t1", "p2"]);

    let mut request = SearchRequest::new("派出所");
    request.from = yuqing::text::dates::parse_datetime("2026-11-21", chrono_tz::Asia::Shanghai);
    request.to = yuqing::text::dates::parse_datetime("2026-11-24", chrono_tz::Asia::Shanghai);
    request.kind = Some(ItemKind::Post);
    let mut ids: Vec<String> = f.request_ids(&request);
    ids.sort();
    assert_eq!(ids, vec!["p1", "p2"]);
}

#[test]
fn facets_count_the_matching_set() {
    let f = fixture();
    let mut request = SearchRequest::new("派出所");
    request.facets = true;
    let results = f.writer.index.search(&request).unwrap();
    assert_eq!(results.total, 5);
    assert_eq!(results.facets["kind"]["post"], 3);
    assert_eq!(results.facets["kind"]["news"], 1);
    assert_eq!(results.facets["kind"]["petition"], 1);
    assert_eq!(results.facets["source"]["weibo"], 2);
    assert_eq!(results.facets["category"]["inaction"], 2);
    assert_eq!(results.facets["category"]["slow_service"], 1);
}

#[test]
fn query_errors_say_where() {
    let f = fixture();
    let error = f
        .writer
        .index
        .search(&SearchRequest::new("民警 (出警"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "query error at column 4: `(` is never closed: add a `)`"
    );
    let error = f
        .writer
        .index
        .search(&SearchRequest::new("kind:tweet"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown item kind `tweet`"), "{error}");
    let error = f
        .writer
        .index
        .search(&SearchRequest::new("category:rudeness"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown category `rudeness`"), "{error}");
}

#[test]
fn reingest_and_reindex_change_nothing() {
    let mut f = fixture();
    let before: Vec<Vec<String>> = ["派出所", "民警", "kind:news"]
        .iter()
        .map(|q| f.ids(q))
        .collect();
    let again = f.ingest(&corpus());
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 8));
    assert_eq!(f.writer.store.count_items().unwrap(), 8);
    let rebuilt = yuqing::pipeline::rebuild_index(&f.writer.store, &f.writer.index, None).unwrap();
    assert_eq!(rebuilt, 8);
    assert_eq!(f.writer.index.num_docs(), 8);
    let after: Vec<Vec<String>> = ["派出所", "民警", "kind:news"]
        .iter()
        .map(|q| f.ids(q))
        .collect();
    assert_eq!(before, after);

    // A changed text replaces the document; it is not added twice.
    let mut changed = corpus();
    changed[5]["text"] = json!("交警支队提醒：明日起城关大道施工，请绕行。");
    let report = f.ingest(&changed);
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 7)
    );
    assert_eq!(f.writer.index.num_docs(), 8);
    assert_eq!(f.ids("施工"), vec!["n2"]);
    assert!(f.ids("降雪").is_empty());
}

#[test]
fn index_catches_up_after_a_crash_between_store_and_index() {
    let mut f = fixture();
    // Simulate a crash after the SQLite commit but before the index commit.
    let extra = yuqing::model::Item {
        id: "late".into(),
        body: "迟到的派出所帖子".into(),
        ..f.writer.store.get_item("p1").unwrap().unwrap().item
    };
    f.writer
        .store
        .upsert_items(&[(extra, Default::default())])
        .unwrap();
    assert!(!f.ids("迟到").contains(&"late".to_string()));
    let synced = yuqing::pipeline::sync_index(&f.writer.store, &f.writer.index, None).unwrap();
    assert_eq!(synced, 1);
    assert_eq!(f.ids("迟到"), vec!["late"]);
}
