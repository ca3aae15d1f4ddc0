//! Police units named in a text (`城关派出所`, `江城市公安局交警支队`,
//! `高速交警三大队`, `110指挥中心` …), so the review queue and the trends can
//! count complaints per unit. [`find_units`] lists every mention with char
//! offsets; [`main_units`] ranks the distinct names.
//!
//! A char-based scanner, linear in the text, no regex. Its vocabulary —
//! the suffixes, the squad kinds, the words that end or keep a place name —
//! is data: `dictionaries/units.txt` (format in its header), compiled in
//! or read from `[text] dictionary_dir`.
//! The lists below give examples; the file has them all.
//!
//! ## Rules
//!
//! 1. **Unit suffixes** are found left to right, the longest at each place:
//!    * literal suffixes: 公安部 (not 公安部门/部队/部署), 公安厅, 公安局,
//!      公安分局, 公安处 (not 公安处理/处置/处罚/处分), 警察局, 交通警察局,
//!      交通管理局, 交管局, 出入境管理局, 出入境管理处, 派出所, 车管所,
//!      车辆管理所, 车管分所, 看守所, 拘留所, 戒毒所, 强制隔离戒毒所, 边检站,
//!      边防检查站, 公安检查站, 反诈中心, 反电诈中心, 警务室, 警务站,
//!      警务工作站, 警务服务站;
//!    * squads: a kind (交警, 交巡警, 交通警察, 交通管理, 刑警, 刑侦,
//!      刑事侦查, 治安, 治安管理, 巡警, 特警, 巡特警, 特巡警, 经侦,
//!      经济犯罪侦查, 督察, 禁毒, 网安, 网警, 技侦, 国保, 法制, 监管, 出入境,
//!      出入境管理) then an
//!      optional number (`三`, `第二`, `3`) then 总队/支队/大队/中队, or a
//!      bare 队 after 交警/刑警/特警/巡警/交巡警/巡特警 (not 队长/队员/队伍):
//!      `交警支队`, `交警三大队`, `刑警队`;
//!    * stand-alone centres: 110指挥中心, 122指挥中心, 110报警服务台 (a
//!      mention even with no place before them), and 指挥中心 only after 110,
//!      公安, 警务 or 警情, or right after a unit (`江城市公安局指挥中心`);
//!    * 分局 only right after a 公安局/公安处/警察局 (`江城市公安局城关分局`)
//!      or right before police words or a police unit (`海淀分局民警`,
//!      `城关分局东湖派出所`; the `police_after` entries);
//!    * a numbered squad (`三大队`, `一中队`) only right after a higher unit,
//!      as part of it (`交警支队三大队`) or with its own place prefix
//!      (`交警支队` + `高速三大队`).
//! 2. **The name** is the suffix plus its place prefix: the run of CJK
//!    characters and digits (Chinese numerals included, so `第一看守所`)
//!    right before it, walked back from the suffix, at most 10 characters.
//!    The walk stops at
//!    * anything that is not a CJK character or a digit (punctuation,
//!      whitespace, Latin letters — so `XX派出所` is not a name);
//!    * the end of the previous unit suffix: `江城市公安局城关派出所` gives
//!      two mentions, `江城市公安局` and `城关派出所`;
//!    * a boundary character (到 去 在 向 给 找 被 的 和 与 及 跟 了 是 为 从
//!      对 把 让 叫 称 说 等 或 由 经 据 将 至 往 来 打 报 拨 赶 派, pronouns,
//!      demonstratives, adverbs … the `boundary_char` entries);
//!    * a boundary word ending there (前往 联系 投诉 举报 反映 辖区 当地 附近
//!      所在 涉事 民警 昨天 上午 … the `boundary_word` entries);
//!    * a date mark after a number (`3月5日`, `10时许`).
//!
//!    Place names that start with or contain a boundary character are kept by
//!    an allow-list (the `allowed_place` entries: 和平, 共和, 向阳, 前进, 从化, 来宾,
//!    将乐, 经开, 经济, 那曲, 后湖 …; 经 followed by a numeral, as in 经三路).
//!    Common place-name starts without a boundary character (长安, 新华, 人民,
//!    解放, 建设, 东风, 红旗 …) need no entry. When the walk runs past 10
//!    characters the prefix is cut after the leftmost 省/自治区/市/州/盟/县/区
//!    in the last 10, or to the last 10.
//! 3. **No name, no mention**: an empty prefix (`派出所民警`), one shorter
//!    than two characters (`上公安局`, `该县公安局` → `县`), or one that is
//!    only administrative levels, only numbers (`第一` is fine) or a generic
//!    word (`社区`, `公安`, `市局` … the `generic_prefix` entries) yields nothing;
//!    `当地`, `附近`, `辖区`, `该`, `这个`, `我们`, `所在` are boundaries, so
//!    `当地派出所` yields nothing either. The stand-alone centres are the
//!    exception: `拨打110指挥中心` → `110指挥中心`.
//! 4. **Sub-units with no name of their own join the unit they follow**:
//!    `江城市公安局交警支队三大队` is one mention, because each part ranks
//!    below the one before (ministry > bureau > sub-bureau > detachment >
//!    brigade > station/squad > post). A sub-unit with its own place prefix is
//!    a separate mention (`江城市公安局` + `城关派出所`).
//! 5. A mention ends at its suffix: `城关派出所民警` → `城关派出所`.
//! 6. The name is normalised: full-width ASCII (`１１０`) becomes half-width.
//!    Offsets are chars, not bytes, into the original text.
//!
//! ## Limitations
//!
//! * Heuristic boundaries: a verb or noun not on the lists fuses with the
//!   place (`网友大赞城关派出所` → `大赞城关派出所`); a place name containing
//!   a boundary character not on the allow-list is cut (`来安县公安局` →
//!   `安县公安局`); an allow-listed word can swallow a real boundary
//!   (`城关派出所和平安派出所` → `和平安派出所`).
//! * The same unit written differently (`城关分局`, `城关区公安分局`,
//!   `江城市城关派出所`) counts as different names; no aliasing.
//! * A lone `XX分局` is seen only before police words or a police unit; a
//!   squad kind not on the list (`技术大队`) is not seen.
//! * A number right before 日/号/年/月/时/点/分 reads as a date, so
//!   `十三号派出所` is not seen.
//! * Traditional characters, spaces inside a name and anonymised names
//!   (`XX派出所`, `某某派出所`) are not recognised.

#[path = "units_lexicon.rs"]
mod lexicon;

pub use lexicon::UnitLexicon;
use lexicon::{BUREAU, Rule, STATION};
use rustc_hash::FxHashMap as HashMap;

/// One police unit named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitMention {
    /// The unit name as written, normalised (e.g. "城关派出所").
    pub name: String,
    /// Character (not byte) offsets into the text: [start, end).
    pub start: usize,
    /// Exclusive end, in characters (see `start`).
    pub end: usize,
}

/// All unit mentions in order of appearance (overlaps resolved: the longest, most specific wins).
pub fn find_units(lexicon: &UnitLexicon, text: &str) -> Vec<UnitMention> {
    let chars: Vec<char> = text.chars().map(normalize_char).collect();
    let tables = lexicon;
    let mut mentions: Vec<UnitMention> = Vec::new();
    // Rank of the last part of the last mention, for joining sub-units.
    let mut last_rank = 0u8;
    // End and rank of the last suffix seen (a mention or not).
    let mut floor = 0usize;
    let mut floor_rank: Option<u8> = None;
    let mut i = 0;
    while i < chars.len() {
        let at_mention_end = mentions.last().is_some_and(|m| m.end == i);
        let Some(m) = match_suffix(&chars, i, tables) else {
            i += 1;
            continue;
        };
        let end = i + m.len;
        if at_mention_end && m.rank < last_rank && m.rule != Rule::NeedsParent {
            // A sub-unit with no name of its own: part of the unit before it.
            let last = mentions.last_mut().expect("at_mention_end");
            last.name.extend(&chars[i..end]);
            last.end = end;
            last_rank = m.rank;
        } else if let Some(start) = name_start(&chars, i, floor, floor_rank, &m, tables) {
            mentions.push(UnitMention {
                name: chars[start..end].iter().collect(),
                start,
                end,
            });
            last_rank = m.rank;
        }
        floor = end;
        floor_rank = Some(m.rank);
        i = end;
    }
    mentions
}

/// Distinct unit names, most frequent first (ties: first appearance), at most `max`.
pub fn main_units(lexicon: &UnitLexicon, text: &str, max: usize) -> Vec<String> {
    let mut counts: HashMap<String, (usize, usize)> = HashMap::default();
    for (order, mention) in find_units(lexicon, text).into_iter().enumerate() {
        counts.entry(mention.name).or_insert((0, order)).0 += 1;
    }
    let mut ranked: Vec<(String, usize, usize)> = counts
        .into_iter()
        .map(|(name, (count, first))| (name, count, first))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    ranked
        .into_iter()
        .take(max)
        .map(|(name, ..)| name)
        .collect()
}

/// Longest place prefix, in characters.
const MAX_PREFIX: usize = 10;

/// Characters after a bare 队 that make it a person or a group, not a unit.
const NOT_AFTER_BARE_DUI: &str = "长员伍";

/// Longest squad number, in characters (`十二`, `123`).
const MAX_SQUAD_NUMBER: usize = 4;

const CJK_NUMERALS: &str = "一二三四五六七八九十百零〇两";

/// Characters that are only administrative levels (a prefix made of them is not a name).
const ADMIN_CHARS: &str = "省市县区镇乡村州盟旗街";

/// Where a too-long prefix may be cut (after one of these).
const CUT_AFTER: &str = "省市州盟县区";

/// Date marks that end a name when they follow a number (3月5日, 10时).
const DATE_MARKS: &str = "日号年月时点分";

/// Full-width ASCII (NFKC would do the same) → half-width.
fn normalize_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '〇')
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || CJK_NUMERALS.contains(c)
}

fn is_name_char(c: char) -> bool {
    is_cjk(c) || c.is_ascii_digit()
}

fn starts_with_at(chars: &[char], at: usize, word: &[char]) -> bool {
    chars.get(at..at + word.len()) == Some(word)
}

struct SuffixMatch {
    len: usize,
    rank: u8,
    rule: Rule,
}

/// The longest unit suffix starting at `i`.
fn match_suffix(chars: &[char], i: usize, t: &UnitLexicon) -> Option<SuffixMatch> {
    let c = chars[i];
    let mut best: Option<SuffixMatch> = None;
    let mut offer = |m: SuffixMatch| {
        if best.as_ref().is_none_or(|b| m.len > b.len) {
            best = Some(m);
        }
    };
    if t.first_chars.contains(&c) {
        for (text, l) in &t.literals {
            if starts_with_at(chars, i, text)
                && chars
                    .get(i + text.len())
                    .is_none_or(|n| !l.not_before.contains(n))
            {
                offer(SuffixMatch {
                    len: text.len(),
                    rank: l.rank,
                    rule: l.rule,
                });
                break; // sorted longest first
            }
        }
        for (kind, bare_dui) in &t.kinds {
            if starts_with_at(chars, i, kind)
                && let Some((len, rank)) = squad_tail(chars, i + kind.len(), *bare_dui, t)
            {
                offer(SuffixMatch {
                    len: kind.len() + len,
                    rank,
                    rule: Rule::Named,
                });
            }
        }
    }
    if (c == '第' || is_numeral(c))
        && let Some((len, rank)) = squad_tail(chars, i, false, t).filter(|&(len, _)| len > 2)
    {
        offer(SuffixMatch {
            len,
            rank,
            rule: Rule::AttachOnly,
        });
    }
    best
}

/// `[第]numerals* (总队|支队|大队|中队)` or a bare `队` at `j`: (length, rank).
fn squad_tail(chars: &[char], j: usize, bare_dui: bool, t: &UnitLexicon) -> Option<(usize, u8)> {
    let mut k = j;
    let ordinal = chars.get(k) == Some(&'第');
    if ordinal {
        k += 1;
    }
    let digits_start = k;
    while k - digits_start < MAX_SQUAD_NUMBER && chars.get(k).is_some_and(|&c| is_numeral(c)) {
        k += 1;
    }
    if ordinal && k == digits_start {
        return None;
    }
    for (ty, rank) in &t.squad_types {
        if starts_with_at(chars, k, ty) {
            return Some((k + ty.len() - j, *rank));
        }
    }
    if bare_dui
        && chars.get(k) == Some(&'队')
        && chars
            .get(k + 1)
            .is_none_or(|n| !NOT_AFTER_BARE_DUI.contains(*n))
    {
        return Some((k + 1 - j, STATION));
    }
    None
}

/// Why the walk back from a suffix stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Punctuation, a boundary, or the start of the text.
    Boundary,
    /// The end of the previous suffix.
    Floor,
    /// More than `MAX_PREFIX` name characters.
    Cap,
}

/// Walks back from the suffix at `s`, not past `floor`: (prefix start, why it stopped).
fn walk_prefix(chars: &[char], s: usize, floor: usize, t: &UnitLexicon) -> (usize, Stop) {
    let mut start = s;
    loop {
        if s - start > MAX_PREFIX {
            return (start, Stop::Cap);
        }
        if start == floor {
            return (
                start,
                if floor > 0 {
                    Stop::Floor
                } else {
                    Stop::Boundary
                },
            );
        }
        let k = start - 1;
        let c = chars[k];
        if !is_name_char(c) {
            return (start, Stop::Boundary);
        }
        if let Some(word_start) = allowed_place_start(chars, k, floor, s, t) {
            start = word_start;
            continue;
        }
        if t.boundary_chars.contains(&c)
            || ends_boundary_word(chars, k, t)
            || (DATE_MARKS.contains(c) && k > 0 && is_numeral(chars[k - 1]))
        {
            return (start, Stop::Boundary);
        }
        if s - start == MAX_PREFIX {
            return (start, Stop::Cap);
        }
        start = k;
    }
}

/// When the boundary character at `k` belongs to an allowed place name lying
/// within `[floor, s)`, the start of that name.
fn allowed_place_start(
    chars: &[char],
    k: usize,
    floor: usize,
    s: usize,
    t: &UnitLexicon,
) -> Option<usize> {
    let c = chars[k];
    if c == '经' && chars.get(k + 1).is_some_and(|&n| is_numeral(n)) && k + 1 < s {
        return Some(k);
    }
    t.allowed.get(&c)?.iter().find_map(|(word, offset)| {
        let ws = k.checked_sub(*offset)?;
        (ws >= floor && ws + word.len() <= s && starts_with_at(chars, ws, word)).then_some(ws)
    })
}

fn ends_boundary_word(chars: &[char], k: usize, t: &UnitLexicon) -> bool {
    t.boundary_words.get(&chars[k]).is_some_and(|words| {
        words
            .iter()
            .any(|w| k + 1 >= w.len() && starts_with_at(chars, k + 1 - w.len(), w))
    })
}

/// Where the mention of the suffix `m` at `s` starts, or `None` when it is no mention.
fn name_start(
    chars: &[char],
    s: usize,
    floor: usize,
    floor_rank: Option<u8>,
    m: &SuffixMatch,
    t: &UnitLexicon,
) -> Option<usize> {
    let (mut start, stop) = walk_prefix(chars, s, floor, t);
    if stop == Stop::Cap {
        start = cut_long_prefix(chars, start, s);
    }
    let prefix = &chars[start..s];
    let named = !is_generic(prefix, t);
    match m.rule {
        Rule::Standalone => Some(if named { start } else { s }),
        Rule::Named => named.then_some(start),
        Rule::NeedsParent => {
            let parent = stop == Stop::Floor && floor_rank.is_some_and(|r| r >= BUREAU);
            (named && (parent || followed_by_police(chars, s + m.len, t))).then_some(start)
        }
        Rule::PoliceOnly => {
            let police = ["公安", "警务", "警情"]
                .iter()
                .any(|p| prefix.ends_with(&p.chars().collect::<Vec<_>>()));
            (named && police).then_some(start)
        }
        Rule::AttachOnly => {
            (named && stop == Stop::Floor && floor_rank.is_some_and(|r| r > m.rank))
                .then_some(start)
        }
    }
}

/// True when police words or a police unit follow `end` (`海淀分局民警`,
/// `城关分局东湖派出所`), which makes a lone 分局 a police sub-bureau.
fn followed_by_police(chars: &[char], end: usize, t: &UnitLexicon) -> bool {
    if t.police_after.iter().any(|w| starts_with_at(chars, end, w)) {
        return true;
    }
    (end..chars.len().min(end + MAX_PREFIX + 1))
        .take_while(|&k| is_name_char(chars[k]))
        .any(|k| {
            match_suffix(chars, k, t)
                .is_some_and(|m| matches!(m.rule, Rule::Named | Rule::Standalone))
        })
}

/// A prefix longer than `MAX_PREFIX`: the last `MAX_PREFIX` characters, cut
/// after the leftmost administrative level in them when there is one.
fn cut_long_prefix(chars: &[char], start: usize, s: usize) -> usize {
    let window = s.saturating_sub(MAX_PREFIX).max(start);
    (window..s.saturating_sub(1))
        .find(|&p| p > 0 && CUT_AFTER.contains(chars[p - 1]))
        .unwrap_or(window)
}

fn is_generic(prefix: &[char], t: &UnitLexicon) -> bool {
    prefix.is_empty()
        || prefix.iter().all(|&c| ADMIN_CHARS.contains(c))
        || prefix.iter().all(|&c| is_numeral(c))
        || prefix.len() < 2
        || t.generic.contains(prefix)
}

#[cfg(test)]
#[path = "units_tests.rs"]
mod tests;
