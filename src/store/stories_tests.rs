//! Tests of `stories`: copies grouped within the window, the chaining guard,
//! restarts, purges and the trend counts kept beside the stories.
use super::*;
use crate::model::{Analysis, Item};
use crate::text::Segmenter;

const POST: &str =
    "昨晚九点多在江滨路夜市，一个民警把卖炒栗子的阿婆推倒在地，推车都翻了，栗子撒了一地。";
const REPOST: &str =
    "转发：江滨路夜市民警推倒卖炒栗子的阿婆，推车翻了栗子撒一地。——太过分了，求个说法。";
const OTHER: &str = "去出入境窗口办护照，排了三个小时的队，工作人员说材料不全让我下周再来。";

fn entry(id: &str, body: &str, hours: i64) -> ((Item, Analysis), StoryVector) {
    let mut item = super::super::items::tests::item(id, body);
    item.published_at += chrono::Duration::hours(hours);
    let vector = StoryVector::of(&Segmenter::embedded(), "", body);
    ((item, Analysis::default()), vector)
}

fn store(store: &mut Store, entries: Vec<((Item, Analysis), StoryVector)>) {
    let (items, vectors): (Vec<_>, Vec<_>) = entries.into_iter().unzip();
    store.upsert_items_with_stories(&items, &vectors).unwrap();
}

/// An item whose vector is the given words, equally weighted.
fn by_words(id: &str, words: &[&str], hours: i64) -> ((Item, Analysis), StoryVector) {
    let ((item, analysis), _) = entry(id, OTHER, hours);
    let weight = 1.0 / (words.len() as f32).sqrt();
    let terms = words.iter().map(|w| (w.to_string(), weight)).collect();
    ((item, analysis), StoryVector { terms })
}

#[test]
fn a_copy_of_a_copy_unlike_the_first_item_starts_its_own_story() {
    const A: [&str; 6] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
    // Half of A's words: similarity 0.5 to A (and to C).
    const B: [&str; 6] = ["alpha", "bravo", "charlie", "golf", "hotel", "india"];
    // Half of B's words, none of A's: similarity 0.5 to B, 0 to A.
    const C: [&str; 6] = ["golf", "hotel", "india", "juliet", "kilo", "lima"];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("y.db");
    let mut s = Store::open(&path).unwrap();
    store(&mut s, vec![by_words("a", &A, 0), by_words("b", &B, 1)]);
    store(&mut s, vec![by_words("c", &C, 2)]);
    assert_eq!(s.story_of("b").unwrap().unwrap().id, "a");
    // `c` is like `b` but not like `a`, whose story `b` is in.
    assert_eq!(s.story_of("c").unwrap().unwrap().id, "c");
    // The same after a restart, with the first items' vectors read back
    // from SQLite instead of kept from their import.
    drop(s);
    let mut s = Store::open(&path).unwrap();
    store(&mut s, vec![by_words("c2", &C, 3), by_words("b2", &B, 3)]);
    assert_eq!(s.story_of("c2").unwrap().unwrap().id, "c");
    assert_eq!(s.story_of("b2").unwrap().unwrap().id, "a");
    // As like `b` (story `a`) as `c`, unlike `a`: `a` comes first (a
    // tie goes to the smaller id) and is passed over.
    const D: [&str; 6] = ["golf", "hotel", "india", "mike", "november", "oscar"];
    store(&mut s, vec![by_words("d", &D, 4)]);
    assert_eq!(s.story_of("d").unwrap().unwrap().id, "c");
    // Copies of `b` carry story `a` on past the days kept around an
    // item; the first item's vector is then read from SQLite.
    store(&mut s, vec![by_words("b3", &B, 70)]);
    store(
        &mut s,
        vec![by_words("b4", &B, 139), by_words("x", &D, 139)],
    );
    assert_eq!(s.story_of("b4").unwrap().unwrap().id, "a");
    assert_eq!(s.story_of("x").unwrap().unwrap().id, "x");
}

#[test]
fn a_restart_between_two_items_does_not_change_their_stories() {
    // Similarity 3 × 0.341549 × 0.3416 = 0.35002 as imported, just
    // above the threshold; with the first item's weights as stored
    // (0.3415) it is 0.34996, just below.
    let item = |id: &str, weight: f32, own: &str| {
        let ((item, analysis), _) = entry(id, OTHER, 0);
        let terms = [
            ("alpha", weight),
            ("bravo", weight),
            ("charlie", weight),
            (own, 0.6),
        ];
        let terms = terms.iter().map(|(w, x)| (w.to_string(), *x)).collect();
        ((item, analysis), StoryVector { terms })
    };
    let dir = tempfile::tempdir().unwrap();
    let story_of_b = |restart: bool| {
        let path = dir.path().join(format!("{restart}.db"));
        let mut s = Store::open(&path).unwrap();
        store(&mut s, vec![item("a", 0.341549, "delta")]);
        if restart {
            s = Store::open(&path).unwrap();
        }
        store(&mut s, vec![item("b", 0.3416, "echo")]);
        s.story_of("b").unwrap().unwrap().id
    };
    assert_eq!(story_of_b(false), story_of_b(true));
}

#[test]
fn copies_within_the_window_share_a_story_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("y.db");
    let mut s = Store::open(&path).unwrap();
    store(
        &mut s,
        vec![
            entry("a", POST, 0),
            entry("b", REPOST, 1),
            entry("c", OTHER, 1),
            entry("late", POST, 24 * 10),
        ],
    );
    let story = s.story_of("b").unwrap().unwrap();
    assert_eq!((story.id.as_str(), story.copies), ("a", 2));
    assert_eq!(story.first_item, "a");
    assert_eq!(s.story_of("c").unwrap().unwrap().copies, 1);
    assert_eq!(
        s.story_of("late").unwrap().unwrap().id,
        "late",
        "ten days later is a new story"
    );
    // A fresh connection has an empty cache: the day is read back from SQLite.
    drop(s);
    let mut s = Store::open(&path).unwrap();
    store(&mut s, vec![entry("e", REPOST, 2), entry("e", REPOST, 2)]);
    assert_eq!(s.story_items("a").unwrap(), ["a", "b", "e"]);
    assert_eq!(
        s.stories(2, 10).unwrap()[0].copies,
        3,
        "an upsert is not a copy"
    );
}

#[test]
fn an_earlier_copy_arriving_late_becomes_the_first_and_purge_recounts() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("y.db")).unwrap();
    store(&mut s, vec![entry("a", POST, 5), entry("b", REPOST, 1)]);
    let story = s.story_of("a").unwrap().unwrap();
    assert_eq!((story.copies, story.first_item.as_str()), (2, "b"));
    let cutoff = s.get_item("a").unwrap().unwrap().item.published_at;
    s.delete_published_before(cutoff).unwrap();
    assert_eq!(s.story_of("a").unwrap().unwrap().copies, 1);
    assert!(s.story_of("b").unwrap().is_none());
}

#[test]
fn short_texts_sharing_a_word_or_two_are_not_copies() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("y.db")).unwrap();
    store(
        &mut s,
        vec![
            entry("a", "这家酒店的摄像头坏了。", 0),
            entry("b", "酒店摄像头的位置不对。", 1),
            entry("c", "酒店本身也很小。", 1),
        ],
    );
    for id in ["a", "b", "c"] {
        assert_eq!(s.story_of(id).unwrap().unwrap().copies, 1, "{id}");
    }
}

#[test]
fn trend_counts_rebuilt_from_the_items_equal_the_counts_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("y.db")).unwrap();
    store(
        &mut s,
        vec![
            entry("a", POST, 0),
            entry("b", REPOST, 1),
            entry("c", OTHER, 30),
        ],
    );
    let read = |s: &Store| {
        let mut all = Vec::new();
        for dim in crate::store::DIMENSIONS {
            all.extend(s.trend_table(dim, 0, i64::MAX / 4096).unwrap());
        }
        all.sort();
        all
    };
    let kept = read(&s);
    let story_a: u32 = kept
        .iter()
        .filter(|(key, _, _)| key == "a")
        .map(|(_, _, n)| n)
        .sum();
    assert_eq!(story_a, 2, "story a counts both copies: {kept:?}");
    assert_eq!(s.rebuild_trend_counts().unwrap(), 3);
    assert_eq!(read(&s), kept);
}

#[test]
fn petitions_that_each_give_a_phone_number_are_not_one_story() {
    // Three unrelated petitions, each ending with the writer's number:
    // after redaction they share `联系电话[手机号]`, and two of them also
    // 派出所. The placeholder's 手机号 once made a third shared word, and
    // the two looked like copies of one story (one case vanishing into it).
    let petitions = [
        "我在东门派出所办理居住证时，窗口民警一直玩手机不理人，还骂我不识字。联系电话13812345678",
        "南湖路口的交警拦下我的货车，要我给两百块钱才放行，没有开任何罚单。联系电话13987654321",
        "昨晚家里被撬门盗窃，打电话给派出所报警，等了两个小时也没人来现场。联系电话13700001111",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("y.db")).unwrap();
    let entries = petitions
        .iter()
        .enumerate()
        .map(|(n, text)| {
            let (redacted, counts) = crate::text::redact(text);
            assert_eq!(counts.phone_numbers, 1);
            entry(&format!("p{n}"), &redacted, n as i64)
        })
        .collect();
    store(&mut s, entries);
    for n in 0..petitions.len() {
        let id = format!("p{n}");
        assert_eq!(s.story_of(&id).unwrap().unwrap().id, id);
    }
}

/// A batch whose dates go round and round (an export sorted by district,
/// not by date) joins its stories day by day: each day is read from SQLite
/// once per batch, not once per item, even when the cache cannot hold
/// every day (here 10 days of 20 items each, 30 items cached).
#[test]
fn a_batch_whose_dates_go_round_reads_each_day_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("y.db")).unwrap();
    s.stories = StoryCache::with_limit(30);
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    let batch = |round: usize| -> Vec<((Item, Analysis), StoryVector)> {
        (0..200)
            .map(|i| {
                let words = [WORDS[i % 8], WORDS[(i / 8) % 8], WORDS[(i + 3) % 8]];
                // Day i % 10, at most a week apart from the next item.
                by_words(&format!("r{round}-{i}"), &words, 24 * (i % 10) as i64)
            })
            .collect()
    };
    store(&mut s, batch(0));
    let first = s.stories.day_loads;
    store(&mut s, batch(1));
    let second = s.stories.day_loads - first;
    // Each day at most once per batch (and the days either side of the
    // first and last days, which are empty).
    let days = 10 + 2 * SPAN_DAYS as u64;
    assert!(first <= days, "{first} day reads for one batch");
    assert!(second <= days, "{second} day reads for one batch");
    assert!(second > 0, "the cache is too small to keep every day");
}
