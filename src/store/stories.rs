//! Stories: copies of one event (reposts, rewordings, the same event in a
//! newspaper and a post) grouped so that their spread is counted and the
//! item is reviewed once.
//!
//! Single-pass clustering, as in topic detection and tracking: each new
//! item is compared with the items published within
//! [`WINDOW_SECS`](crate::dedup::story::WINDOW_SECS) of it and joins the
//! story of the most similar one when the cosine similarity of their story
//! vectors reaches [`SAME_STORY`](crate::dedup::story::SAME_STORY);
//! otherwise it starts a story of its own (whose id is the item's id).
//!
//! The vectors are stored (`story_items`), so the grouping is rebuildable
//! from SQLite. Candidates come from an in-memory inverted index over the
//! heaviest words of the items of each day, loaded from SQLite one day at a
//! time and kept for the days in use: a lookup costs a few posting lists,
//! not a scan, however large the store grows. Only items sharing two of
//! those heaviest words with the new one are compared in full.

use super::{QueryContext, Store, StoreError};
use crate::dedup::story::{SAME_STORY, StoryVector, WINDOW_SECS, stored_weight};
use rusqlite::{OptionalExtension, Transaction, params};
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// Words of a vector entered in the day's inverted index.
const POSTING_TERMS: usize = 12;
// Shared posting words are counted in a byte.
const _: () = assert!(POSTING_TERMS <= u8::MAX as usize);
/// A word on more items than this in one day says little about which
/// story an item belongs to (it is that day's common word); its posting
/// list is not read.
const MAX_POSTINGS: usize = 256;
/// Words two items must share to be copies: one or two common words make
/// short texts look alike (`酒店本身也很小` and any hotel review), not
/// copies of one story.
const MIN_SHARED: usize = 3;
/// Of those, heaviest words (the [`POSTING_TERMS`] of both vectors) two
/// items must share to be compared in full: on a dense day an item shares
/// one heavy word with hundreds of others (288 on average over the replayed
/// corpus, 31 of them two or more), and those sharing one were compared in
/// full for nothing.
const MIN_SHARED_HEAVY: u32 = 2;
/// Least similarity of a copy to its story's first item.
const SEED_FLOOR: f32 = 0.2;
/// Candidates compared in full at most (those sharing the most words).
const MAX_CANDIDATES: usize = 64;
/// Cached items beyond which least recently used days are dropped, with
/// the seeds of their stories. The days around the item at hand stay
/// whatever their count, so that the window is whole: at 200,000 items a
/// day that is some 650,000 items, about 320 bytes each (BENCHMARKS.md).
/// At 100,000 an import whose dates go round a month (a 171,000-row export
/// sorted by district, not date) reloaded most days for every batch: 74 s
/// where 86,000 rows took 7; at 400,000 (some 130 MB at most) it takes 13.
const MAX_CACHED: usize = 400_000;
const DAY_SECS: i64 = 86_400;
/// Days either side of an item's day that hold items within
/// [`WINDOW_SECS`] of it: an item `w` seconds away is at most `⌈w / day⌉`
/// days away (a day more put items outside the window among the
/// candidates, in the way of those inside it).
const SPAN_DAYS: i64 = (WINDOW_SECS + DAY_SECS - 1) / DAY_SECS;

/// A story as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryInfo {
    /// The story id (the id of the item that started it).
    pub id: String,
    /// How many items it has.
    pub copies: u32,
    /// The earliest item.
    pub first_item: String,
    /// Its source.
    pub first_source: String,
    /// Its publication time, RFC 3339 UTC.
    pub first_at: String,
    /// The newest copy's publication time, RFC 3339 UTC.
    pub last_at: String,
}

/// The in-memory part: interned words and, per day, the items' vectors
/// with an inverted index over their heaviest words.
#[derive(Debug, Default)]
pub(crate) struct StoryCache {
    words: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// Where the first item of a story is among the cached items (day,
    /// position): its vector is not kept twice.
    seed_at: HashMap<Box<str>, (i64, u32)>,
    /// Vectors of stories' first items read from SQLite (items not cached).
    seeds: HashMap<Box<str>, Box<[Term]>>,
    days: HashMap<i64, Day>,
    cached: usize,
    clock: u64,
    /// Posting words shared with each item of a day, by item position:
    /// all zero between lookups (only the counters touched are reset, so
    /// a lookup costs what it reads, not the size of the days it spans).
    shared: Vec<u8>,
    /// Cached items beyond which days are dropped: [`MAX_CACHED`] unless a
    /// test sets a smaller one.
    limit: Option<usize>,
    /// Days read from SQLite so far (what a cache miss costs; tests read it).
    pub(crate) day_loads: u64,
}

#[derive(Debug, Default)]
struct Day {
    last_used: u64,
    entries: Vec<Entry>,
    postings: HashMap<u32, Vec<u32>>,
}

#[derive(Debug)]
struct Entry {
    story: Box<str>,
    at: i64,
    /// Interned words and weights, sorted by word.
    vector: Box<[Term]>,
}

/// A word of a cached vector and its weight as stored, in ten-thousandths
/// (six bytes, not eight: at 200,000 items a day the 72-hour window holds
/// some 650,000 vectors of 18 words). An item imported now and one read
/// back from SQLite are compared alike, so a restart does not change how
/// stories are grouped.
#[derive(Debug, Clone, Copy)]
#[repr(C, packed)]
struct Term {
    word: u32,
    weight: u16,
}

impl Term {
    fn weight(self) -> f32 {
        // Both exact in f32 and the quotient correctly rounded: the same
        // float as parsing the stored decimal.
        f32::from(self.weight) / 10_000.0
    }
}

/// A vector (interned) as cached: sorted by word, weights as stored.
fn cached(mut vector: Vec<(u32, f32)>) -> Box<[Term]> {
    vector.sort_unstable_by_key(|&(word, _)| word);
    vector
        .into_iter()
        .map(|(word, weight)| Term {
            word,
            weight: stored_weight(weight).min(u64::from(u16::MAX)) as u16,
        })
        .collect()
}

impl StoryCache {
    /// Forgets everything (after a purge or a failed transaction).
    pub(crate) fn clear(&mut self) {
        *self = StoryCache {
            limit: self.limit,
            ..StoryCache::default()
        };
    }

    /// A cache that keeps at most `limit` items (beyond the window at hand).
    #[cfg(test)]
    pub(crate) fn with_limit(limit: usize) -> StoryCache {
        StoryCache {
            limit: Some(limit),
            ..StoryCache::default()
        }
    }

    fn word_id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.words.get(word) {
            return id;
        }
        let id = self.names.len() as u32;
        self.words.insert(word.into(), id);
        self.names.push(word.into());
        id
    }

    fn interned(&mut self, vector: &StoryVector) -> Vec<(u32, f32)> {
        vector
            .terms
            .iter()
            .map(|(word, weight)| (self.word_id(word), *weight))
            .collect()
    }

    /// Adds an item of a loaded day whose `vector` is heaviest first (it
    /// is kept sorted by word); `starts_story`: the item is its story's
    /// first.
    fn add(&mut self, day: i64, story: &str, at: i64, vector: Vec<(u32, f32)>, starts_story: bool) {
        let Some(bucket) = self.days.get_mut(&day) else {
            return;
        };
        let index = bucket.entries.len() as u32;
        for (word, _) in vector.iter().take(POSTING_TERMS) {
            bucket.postings.entry(*word).or_default().push(index);
        }
        bucket.entries.push(Entry {
            story: story.into(),
            at,
            vector: cached(vector),
        });
        self.cached += 1;
        if starts_story {
            self.seed_at.insert(story.into(), (day, index));
        }
    }

    /// Makes sure the days around `day` are loaded, dropping old ones when
    /// the cache is full.
    fn load_around(&mut self, tx: &Transaction<'_>, day: i64) -> Result<(), StoreError> {
        self.clock += 1;
        for d in day - SPAN_DAYS..=day + SPAN_DAYS {
            if let Some(bucket) = self.days.get_mut(&d) {
                bucket.last_used = self.clock;
                continue;
            }
            self.day_loads += 1;
            // A day's items are counted first, so that its list is made
            // to measure (a busy day holds 200,000 items).
            let items: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM story_items WHERE day = ?1")
                .during("preparing the story count")?
                .query_row(params![d], |row| row.get(0))
                .during("counting a day's stories")?;
            let mut statement = tx
                .prepare_cached(
                    "SELECT story_id, at, vector, item_id = story_id FROM story_items WHERE day = ?1",
                )
                .during("preparing the story lookup")?;
            let rows = statement
                .query_map(params![d], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, bool>(3)?,
                    ))
                })
                .during("reading a day's stories")?;
            self.days.insert(
                d,
                Day {
                    last_used: self.clock,
                    entries: Vec::with_capacity(usize::try_from(items).unwrap_or(0)),
                    ..Day::default()
                },
            );
            for row in rows {
                let (story, at, vector, starts_story) = row.during("reading a story vector")?;
                let vector = self.interned(&StoryVector::decode(&vector));
                self.add(d, &story, at, vector, starts_story);
            }
            if let Some(bucket) = self.days.get_mut(&d) {
                // Lists grown by doubling hold up to half again their size.
                bucket.postings.values_mut().for_each(Vec::shrink_to_fit);
            }
        }
        while self.cached > self.limit.unwrap_or(MAX_CACHED) {
            let oldest = self
                .days
                .iter()
                .filter(|(_, bucket)| bucket.last_used != self.clock)
                .min_by_key(|(_, bucket)| bucket.last_used)
                .map(|(d, _)| *d);
            let Some(oldest) = oldest else { break };
            if let Some(bucket) = self.days.remove(&oldest) {
                self.cached -= bucket.entries.len();
                // Seeds of stories seen that day are read again when needed.
                for entry in &bucket.entries {
                    self.seeds.remove(&entry.story);
                    if self
                        .seed_at
                        .get(&entry.story)
                        .is_some_and(|&(d, _)| d == oldest)
                    {
                        self.seed_at.remove(&entry.story);
                    }
                }
            }
        }
        Ok(())
    }

    /// Stories of the items within the window that `vector` (heaviest
    /// first; `sorted`, the same by word) is similar to: each story once,
    /// at the similarity of its most similar copy, most similar first.
    fn matches(
        &mut self,
        day: i64,
        at: i64,
        vector: &[(u32, f32)],
        sorted: &[(u32, f32)],
    ) -> Vec<(Box<str>, f32)> {
        // Posting words shared with each item of a day: a counter per item
        // of the day (a day's postings are item positions), the items
        // touched listed — hashing every posting cost more than the rest.
        let mut candidates: Vec<((i64, u32), u32)> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        let counts = &mut self.shared;
        for d in day - SPAN_DAYS..=day + SPAN_DAYS {
            let Some(bucket) = self.days.get(&d) else {
                continue;
            };
            if counts.len() < bucket.entries.len() {
                counts.resize(bucket.entries.len(), 0);
            }
            touched.clear();
            for (word, _) in vector.iter().take(POSTING_TERMS) {
                let Some(postings) = bucket.postings.get(word) else {
                    continue;
                };
                if postings.len() > MAX_POSTINGS {
                    continue;
                }
                for &index in postings {
                    let count = &mut counts[index as usize];
                    if *count == 0 {
                        touched.push(index);
                    }
                    *count += 1;
                }
            }
            for &index in &touched {
                let shared = std::mem::take(&mut counts[index as usize]);
                if u32::from(shared) >= MIN_SHARED_HEAVY {
                    candidates.push(((d, index), u32::from(shared)));
                }
            }
        }
        let by_shared =
            |a: &((i64, u32), u32), b: &((i64, u32), u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if candidates.len() > MAX_CANDIDATES {
            candidates.select_nth_unstable_by(MAX_CANDIDATES, by_shared);
            candidates.truncate(MAX_CANDIDATES);
        }
        // The candidates' entries first, then their vectors' ends, then the
        // merges: at a busy office's volume each is a cache miss (the
        // window's vectors far outgrow the cache), and loads issued
        // together overlap where a merge per candidate waits for each.
        let entries: Vec<&Entry> = candidates
            .iter()
            .map(|&((d, index), _)| &self.days[&d].entries[index as usize])
            .filter(|entry| (entry.at - at).abs() <= WINDOW_SECS)
            .collect();
        let ends = entries.iter().fold(0, |acc, entry| {
            let (first, last) = (entry.vector.first(), entry.vector.last());
            acc ^ first.map_or(0, |t| t.word) ^ last.map_or(0, |t| t.word)
        });
        std::hint::black_box(ends);
        let mut similar: Vec<(f32, &Entry)> = entries
            .into_iter()
            .filter_map(|entry| {
                let similarity = cosine(sorted, &entry.vector);
                (similarity >= SAME_STORY).then_some((similarity, entry))
            })
            .collect();
        similar.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.story.cmp(&b.1.story)));
        // A story counts once, at its most similar copy that also shares
        // enough words: copies of a story already found are not counted
        // word by word (a repost wave puts dozens of one story's copies
        // among the candidates).
        let mut found: Vec<(Box<str>, f32)> = Vec::new();
        for (similarity, entry) in similar {
            if !found.iter().any(|(story, _)| *story == entry.story)
                && self.shares_enough_words(sorted, &entry.vector)
            {
                found.push((entry.story.clone(), similarity));
            }
        }
        found
    }

    /// Whether two vectors (both sorted by word) share [`MIN_SHARED`]
    /// distinct words, a word inside another shared word not counted
    /// (`摄像头` also gives `摄像` and `像头`: one word, not three).
    fn shares_enough_words(&self, a: &[(u32, f32)], b: &[Term]) -> bool {
        let mut shared: Vec<&str> = Vec::new();
        merge_join(a, b, |word, _, _| shared.push(&self.names[word as usize]));
        // Longest first: only the words before one can contain it, and the
        // count can stop at the least needed.
        shared.sort_unstable_by_key(|word| std::cmp::Reverse(word.len()));
        let mut counted = 0;
        for (i, word) in shared.iter().enumerate() {
            let inside_longer = shared[..i]
                .iter()
                .any(|longer| longer.len() > word.len() && longer.contains(word));
            if !inside_longer {
                counted += 1;
                if counted >= MIN_SHARED {
                    return true;
                }
            }
        }
        false
    }

    /// Whether `sorted` resembles the item that started `story` a little
    /// (true when that item was purged). Its vector is the cached item's,
    /// or read once from SQLite.
    fn near_seed(
        &mut self,
        tx: &Transaction<'_>,
        story: &str,
        sorted: &[(u32, f32)],
    ) -> Result<bool, StoreError> {
        if let Some(&(day, index)) = self.seed_at.get(story) {
            let seed = &self.days[&day].entries[index as usize].vector;
            return Ok(cosine(sorted, seed) >= SEED_FLOOR);
        }
        if let Some(seed) = self.seeds.get(story) {
            return Ok(cosine(sorted, seed) >= SEED_FLOOR);
        }
        let stored: Option<String> = tx
            .prepare_cached("SELECT vector FROM story_items WHERE item_id = ?1")
            .during("preparing the story seed lookup")?
            .query_row(params![story], |row| row.get(0))
            .optional()
            .during("reading a story's first item")?;
        let Some(stored) = stored else {
            return Ok(true);
        };
        let seed = cached(self.interned(&StoryVector::decode(&stored)));
        let near = cosine(sorted, &seed) >= SEED_FLOOR;
        self.seeds.insert(story.into(), seed);
        Ok(near)
    }
}

/// `vector` sorted by word id: two such vectors are compared in one merge
/// (a hash probe per word cost more, with vectors of 32 words).
fn by_word(mut vector: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
    vector.sort_unstable_by_key(|&(word, _)| word);
    vector
}

/// Calls `shared(word, weight in a, weight in b)` for each word of both
/// `a` and `b` (sorted by word).
fn merge_join(a: &[(u32, f32)], b: &[Term], mut shared: impl FnMut(u32, f32, f32)) {
    let (mut i, mut j) = (0, 0);
    while let (Some(&(x, v)), Some(&term)) = (a.get(i), b.get(j)) {
        let y = term.word;
        if x == y {
            shared(x, v, term.weight());
        }
        // Both steps without a branch: which side is behind is a coin toss
        // the branch predictor loses half the time.
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
}

/// Cosine similarity of two normalised vectors (sorted by word).
fn cosine(a: &[(u32, f32)], b: &[Term]) -> f32 {
    let mut sum = 0.0;
    merge_join(a, b, |_, v, w| sum += v * w);
    sum
}

/// Puts a newly inserted item into a story (an existing one when a copy is
/// found, else its own), inside the caller's transaction. Returns the story id.
pub(crate) fn assign(
    tx: &Transaction<'_>,
    cache: &mut StoryCache,
    item_id: &str,
    source: &str,
    at: i64,
    vector: &StoryVector,
) -> Result<String, StoreError> {
    let day = day_of(at);
    let interned = cache.interned(vector);
    let sorted = by_word(interned.clone());
    let story = if vector.is_empty() {
        item_id.to_string()
    } else {
        cache.load_around(tx, day)?;
        let mut chosen = None;
        for (story, _) in cache.matches(day, at, &interned, &sorted) {
            // Against chaining (A like B like C, A unlike C): a copy must
            // also resemble the story's first item a little. Stories come
            // most similar first, each once.
            if cache.near_seed(tx, &story, &sorted)? {
                chosen = Some(story.to_string());
                break;
            }
        }
        chosen.unwrap_or_else(|| item_id.to_string())
    };
    tx.prepare_cached(
        "INSERT INTO story_items (item_id, story_id, day, at, vector) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(item_id) DO NOTHING",
    )
    .during("preparing the story write")?
    .execute(params![item_id, story, day, at, vector.encode()])
    .during("writing an item's story")?;
    tx.prepare_cached(
        "INSERT INTO stories (id, first_item, first_source, first_at, last_at, copies)
         VALUES (?1, ?2, ?3, ?4, ?4, 1)
         ON CONFLICT(id) DO UPDATE SET
            copies = copies + 1,
            last_at = MAX(last_at, excluded.last_at),
            first_item = CASE WHEN excluded.first_at < first_at THEN excluded.first_item ELSE first_item END,
            first_source = CASE WHEN excluded.first_at < first_at THEN excluded.first_source ELSE first_source END,
            first_at = MIN(first_at, excluded.first_at)",
    )
    .during("preparing the story update")?
    .execute(params![story, item_id, source, at])
    .during("updating a story")?;
    if !vector.is_empty() {
        cache.add(day, &story, at, interned, story == item_id);
    }
    Ok(story)
}

/// The UTC day of a time in seconds: the unit the cache keeps and drops.
pub(crate) fn day_of(at: i64) -> i64 {
    at.div_euclid(DAY_SECS)
}

/// Drops the story rows of items no longer stored and recounts copies.
pub(crate) fn prune(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "DELETE FROM story_items WHERE item_id NOT IN (SELECT id FROM items);
         UPDATE stories SET copies = (SELECT COUNT(*) FROM story_items WHERE story_id = stories.id);
         DELETE FROM stories WHERE copies = 0;",
    )
    .during("pruning stories")
}

fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// The story an item belongs to (`None` for an item stored before
    /// stories existed).
    pub fn story_of(&self, item_id: &str) -> Result<Option<StoryInfo>, StoreError> {
        self.conn
            .query_row(
                "SELECT s.id, s.copies, s.first_item, s.first_source, s.first_at, s.last_at
                 FROM story_items i JOIN stories s ON s.id = i.story_id WHERE i.item_id = ?1",
                params![item_id],
                |row| {
                    Ok(StoryInfo {
                        id: row.get(0)?,
                        copies: row.get(1)?,
                        first_item: row.get(2)?,
                        first_source: row.get(3)?,
                        first_at: time(row.get(4)?),
                        last_at: time(row.get(5)?),
                    })
                },
            )
            .optional()
            .during("reading an item's story")
    }

    /// The ids of a story's items, oldest first.
    pub fn story_items(&self, story_id: &str) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT item_id FROM story_items WHERE story_id = ?1 ORDER BY at, item_id",
            )
            .during("preparing the story's items")?;
        let rows = statement
            .query_map(params![story_id], |row| row.get(0))
            .during("reading a story's items")?;
        rows.collect::<Result<_, _>>()
            .during("reading a story's items")
    }

    /// Stories with at least `min_copies` items, largest first.
    pub fn stories(&self, min_copies: u32, limit: usize) -> Result<Vec<StoryInfo>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT id, copies, first_item, first_source, first_at, last_at FROM stories
                 WHERE copies >= ?1 ORDER BY copies DESC, last_at DESC LIMIT ?2",
            )
            .during("preparing the story list")?;
        let rows = statement
            .query_map(params![min_copies, limit as i64], |row| {
                Ok(StoryInfo {
                    id: row.get(0)?,
                    copies: row.get(1)?,
                    first_item: row.get(2)?,
                    first_source: row.get(3)?,
                    first_at: time(row.get(4)?),
                    last_at: time(row.get(5)?),
                })
            })
            .during("reading stories")?;
        rows.collect::<Result<_, _>>().during("reading stories")
    }
}

#[cfg(test)]
#[path = "stories_tests.rs"]
mod tests;
