//! Stories: the demo set's labelled repeated stories (reposts rewritten in
//! repost style, the same event told by news and posts) are each grouped,
//! and unrelated items are not chained into them.

use super::common::Fixture;
use std::collections::{BTreeMap, HashMap};

fn labelled_stories() -> HashMap<String, String> {
    let labels = include_str!("../../demo/labels.jsonl");
    labels
        .lines()
        .filter_map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let story = value["story"].as_str()?.to_string();
            Some((value["id"].as_str().unwrap().to_string(), story))
        })
        .collect()
}

#[test]
fn the_demo_sets_repeated_stories_are_grouped() {
    let mut fixture = Fixture::new();
    let items: Vec<serde_json::Value> = include_str!("../../demo/items.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let report = fixture.ingest(&items);
    assert_eq!(report.inserted, 368);
    let store = &fixture.writer.store;
    let labels = labelled_stories();
    // For each labelled story: how its items are spread over stored stories.
    let mut spread: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for (id, label) in &labels {
        let story = store
            .story_of(id)
            .unwrap()
            .expect("every new item has a story");
        *spread
            .entry(label)
            .or_default()
            .entry(story.id)
            .or_default() += 1;
    }
    let largest = |label: &str| spread[label].values().copied().max().unwrap();
    assert_eq!(largest("S1-spike-donghu-vendor"), 12, "{spread:?}");
    assert_eq!(largest("S2-fraud-warning"), 8, "{spread:?}");
    assert_eq!(largest("S4-refutation"), 5, "{spread:?}");
    assert!(largest("S3-110-no-show") >= 4, "{spread:?}");
    // The spike's story counts its copies and knows where it started.
    let spike = spread["S1-spike-donghu-vendor"].keys().next().unwrap();
    let story = store.story_of(spike).unwrap().unwrap();
    assert_eq!(story.copies, 12, "{story:?}");
    assert_eq!(store.story_items(&story.id).unwrap().len(), 12);
    // Nothing else is chained into a big blob; every story holds at most
    // one labelled story (the rumour and its refutation are one event).
    for info in store.stories(2, 1000).unwrap() {
        assert!(info.copies <= 12, "{info:?}");
        let members = store.story_items(&info.id).unwrap();
        let mut distinct: Vec<&str> = members
            .iter()
            .filter_map(|m| labels.get(m).map(|l| l.trim_end_matches("-rumour")))
            .map(|l| l.trim_end_matches("-refutation"))
            .collect();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() <= 1, "{info:?} mixes {distinct:?}");
    }
}
