//! Police units named in a text (`城关派出所`, `江城市公安局交警支队`,
//! `高速交警三大队`, `110指挥中心` …), so the review queue and the trends can
//! count complaints per unit. [`find_units`] lists every mention with char
//! offsets; [`main_units`] ranks the distinct names.
//!
//! A char-based scanner, linear in the text: no regex, no dictionary files.
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
//!      `城关分局东湖派出所`; see `POLICE_AFTER`);
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
//!      demonstratives, adverbs … see `BOUNDARY_CHARS`);
//!    * a boundary word ending there (前往 联系 投诉 举报 反映 辖区 当地 附近
//!      所在 涉事 民警 昨天 上午 … see `BOUNDARY_WORDS`);
//!    * a date mark after a number (`3月5日`, `10时许`).
//!
//!    Place names that start with or contain a boundary character are kept by
//!    an allow-list (`ALLOWED_PLACES`: 和平, 共和, 向阳, 前进, 从化, 来宾,
//!    将乐, 经开, 经济, 那曲, 后湖 …; 经 followed by a numeral, as in 经三路).
//!    Common place-name starts without a boundary character (长安, 新华, 人民,
//!    解放, 建设, 东风, 红旗 …) need no entry. When the walk runs past 10
//!    characters the prefix is cut after the leftmost 省/自治区/市/州/盟/县/区
//!    in the last 10, or to the last 10.
//! 3. **No name, no mention**: an empty prefix (`派出所民警`), one shorter
//!    than two characters (`上公安局`, `该县公安局` → `县`), or one that is
//!    only administrative levels, only numbers (`第一` is fine) or a generic
//!    word (`社区`, `公安`, `市局` … see `GENERIC_PREFIXES`) yields nothing;
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

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

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
pub fn find_units(text: &str) -> Vec<UnitMention> {
    let chars: Vec<char> = text.chars().map(normalize_char).collect();
    let tables = tables();
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
pub fn main_units(text: &str, max: usize) -> Vec<String> {
    let mut counts: HashMap<String, (usize, usize)> = HashMap::default();
    for (order, mention) in find_units(text).into_iter().enumerate() {
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

// Ranks, for joining a nameless sub-unit to the unit before it.
const POST: u8 = 0;
const STATION: u8 = 1;
const BRIGADE: u8 = 2;
const DETACHMENT: u8 = 3;
const SUB_BUREAU: u8 = 4;
const BUREAU: u8 = 5;
const MINISTRY: u8 = 6;

/// What a suffix needs before it to be a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// A place prefix.
    Named,
    /// Nothing: a mention on its own, with a prefix if there is one.
    Standalone,
    /// A place prefix that starts right after a 公安局-level suffix (分局).
    NeedsParent,
    /// A place prefix ending in 公安/警务/警情 (指挥中心).
    PoliceOnly,
    /// Part of the unit right before it (三大队), or a place prefix that
    /// starts right after a higher unit (`交警支队` + `高速三大队`).
    AttachOnly,
}

struct Literal {
    text: &'static str,
    rank: u8,
    rule: Rule,
    /// Characters that must not follow (公安处|理 is not a unit).
    not_before: &'static str,
}

const fn lit(text: &'static str, rank: u8, rule: Rule, not_before: &'static str) -> Literal {
    Literal {
        text,
        rank,
        rule,
        not_before,
    }
}

const LITERALS: &[Literal] = &[
    lit("公安部", MINISTRY, Rule::Standalone, "门队署分"),
    lit("公安厅", MINISTRY, Rule::Named, ""),
    lit("公安局", BUREAU, Rule::Named, ""),
    lit("公安处", BUREAU, Rule::Named, "理置罚分"),
    lit("警察局", BUREAU, Rule::Named, ""),
    lit("交通警察局", SUB_BUREAU, Rule::Named, ""),
    lit("公安分局", SUB_BUREAU, Rule::Named, ""),
    lit("分局", SUB_BUREAU, Rule::NeedsParent, ""),
    lit("交通管理局", SUB_BUREAU, Rule::Named, ""),
    lit("交管局", SUB_BUREAU, Rule::Named, ""),
    lit("出入境管理局", SUB_BUREAU, Rule::Named, ""),
    lit("出入境管理处", DETACHMENT, Rule::Named, ""),
    lit("派出所", STATION, Rule::Named, ""),
    lit("车管所", STATION, Rule::Named, ""),
    lit("车辆管理所", STATION, Rule::Named, ""),
    lit("车管分所", STATION, Rule::Named, ""),
    lit("看守所", STATION, Rule::Named, ""),
    lit("拘留所", STATION, Rule::Named, ""),
    lit("戒毒所", STATION, Rule::Named, ""),
    lit("强制隔离戒毒所", STATION, Rule::Named, ""),
    lit("边检站", STATION, Rule::Named, ""),
    lit("边防检查站", STATION, Rule::Named, ""),
    lit("公安检查站", STATION, Rule::Named, ""),
    lit("反诈中心", STATION, Rule::Named, ""),
    lit("反电诈中心", STATION, Rule::Named, ""),
    lit("110指挥中心", STATION, Rule::Standalone, ""),
    lit("122指挥中心", STATION, Rule::Standalone, ""),
    lit("110报警服务台", STATION, Rule::Standalone, ""),
    lit("指挥中心", STATION, Rule::PoliceOnly, ""),
    lit("警务室", POST, Rule::Named, ""),
    lit("警务站", POST, Rule::Named, ""),
    lit("警务工作站", POST, Rule::Named, ""),
    lit("警务服务站", POST, Rule::Named, ""),
];

/// Squad kinds; `true` when a bare 队 after the kind is a unit (交警队).
const SQUAD_KINDS: &[(&str, bool)] = &[
    ("交警", true),
    ("交巡警", true),
    ("交通警察", false),
    ("交通管理", false),
    ("刑警", true),
    ("刑侦", false),
    ("刑事侦查", false),
    ("治安", false),
    ("治安管理", false),
    ("巡警", true),
    ("特警", true),
    ("巡特警", true),
    ("特巡警", true),
    ("经侦", false),
    ("经济犯罪侦查", false),
    ("督察", false),
    ("禁毒", false),
    ("网安", false),
    ("网警", false),
    ("技侦", false),
    ("国保", false),
    ("法制", false),
    ("监管", false),
    ("出入境", false),
    ("出入境管理", false),
];

const SQUAD_TYPES: &[(&str, u8)] = &[
    ("总队", SUB_BUREAU),
    ("支队", DETACHMENT),
    ("大队", BRIGADE),
    ("中队", STATION),
];

/// Characters after a bare 队 that make it a person or a group, not a unit.
const NOT_AFTER_BARE_DUI: &str = "长员伍";

/// Longest squad number, in characters (`十二`, `123`).
const MAX_SQUAD_NUMBER: usize = 4;

const CJK_NUMERALS: &str = "一二三四五六七八九十百零〇两";

/// Single characters that end a name when walking back from a suffix.
const BOUNDARY_CHARS: &str = "到去在向给找被的和与及跟了是为从对把让叫称说等或由经据将至往来打报拨赶派\
    我你他她它们咱这那该此某其哪也还就又再已并且而但却则系着过吗呢吧啊呀么得\
    请问告送带押抓扣闯冲离进遭受致竟仍均只个晚要想曝\
    回各每闹砸骂踢怒斥怼归管后不没";

/// Words that end a name when they end right before it: verbs of going,
/// contacting and complaining; place words that are not names (当地, 辖区 …);
/// people; time.
const BOUNDARY_WORDS: &str = "\
    前往 来到 赶到 赶往 进入 走进 回到 找到 联系 投诉 举报 反映 报警 报案 求助 求救 咨询 \
    致电 拨打 电话 询问 申请 申诉 信访 上访 控告 状告 起诉 质疑 曝光 爆料 网传 感谢 点赞 \
    表扬 称赞 批评 通报 回应 回复 表示 介绍 发布 获悉 了解 证实 确认 核实 调查 处理 处置 \
    管辖 负责 接到 收到 接警 出警 传唤 移送 移交 转交 转至 隶属 归属 位于 属于 关于 对于 \
    针对 面对 通过 根据 按照 依据 包括 以及 还有 或者 其中 比如 例如 尤其 特别 涉嫌 居然 \
    竟然 终于 当地 本地 属地 附近 周边 辖区 所在 所属 涉事 相关 有关 基层 各级 各地 多地 \
    全市 全省 全县 全区 全国 多个 多家 一些 某些 这个 那个 哪个 这家 那家 哪家 一家 自家 \
    这些 那些 一个 两个 几个 本市 本区 本县 本镇 本省 上级 下属 其他 其它 另一 另外 同一 \
    官方 最新 突发 视频 网友 民警 辅警 警察 警官 市民 群众 村民 居民 记者 律师 家属 男子 \
    女子 司机 车主 当事人 本人 自己 昨天 今天 前天 明天 当天 当日 次日 今日 昨日 上午 下午 \
    中午 早上 凌晨 傍晚 夜里 深夜 近日 日前 此前 目前 随后 之后 以后 后来 然后 最后 同时 \
    谴责 强烈 控诉 指责 吐槽 差评 好评 支持 力挺 致敬 希望 建议 呼吁 督促 责令 责成 约谈 \
    问责 追责 表彰 嘉奖 慰问 走访 看望 参观 调研 视察 检查 督查 督导 协调 配合 协助 会同 \
    联合 组织 部署 开展 召开 成立 设立 辱骂 殴打 打伤 冲击 围攻 包围 驳回 拒绝 当时 今年 \
    上周 本周 上月 本月 近期 最近 如今 现在 曾经 时许 点许 分许 左右";

/// Place names that contain a boundary character.
const ALLOWED_PLACES: &str = "\
    和平 共和 太和 新和 和田 中和 永和 协和 人和 和顺 和兴 平和 祥和 和睦 和谐 和政 和静 \
    和龙 和林 保和 清和 安和 德和 和美 东和 西和 南和 北和 惠和 宝和 同和 嘉和 泰和 义和 \
    顺和 向阳 向荣 前进 从化 来宾 来凤 将乐 经开 经济 经纬 那曲 那坡 那大 回民 致远 管城 \
    后湖 后海 后街 后山 后营 后港 后沙 后宰 隔离";

/// A whole prefix that is not a name.
const GENERIC_PREFIXES: &str = "\
    公安 警方 城区 市区 郊区 县城 乡镇 农村 城市 社区 小区 街道 地方 驻村 驻校 校园 便民 \
    流动 移动 智慧 网上 市级 县级 区级 省级 市里 县里 区里 镇上 镇里 村里 地市 省市 市县 \
    区县 县区 各区 各县 各市 交通 应急 公安交警 市局 县局 区局 省厅 总局 分局 支队 大队";

/// Words after a lone `XX分局` that make it a police sub-bureau.
const POLICE_AFTER: &str = "\
    民警 辅警 警方 警察 警官 刑警 交警 特警 巡警 网警 治安 刑侦 经侦 禁毒 警务 督察 政委 \
    公安 110";

/// Characters that are only administrative levels (a prefix made of them is not a name).
const ADMIN_CHARS: &str = "省市县区镇乡村州盟旗街";

/// Where a too-long prefix may be cut (after one of these).
const CUT_AFTER: &str = "省市州盟县区";

/// Date marks that end a name when they follow a number (3月5日, 10时).
const DATE_MARKS: &str = "日号年月时点分";

struct Tables {
    first_chars: HashSet<char>,
    literals: Vec<(Vec<char>, &'static Literal)>,
    kinds: Vec<(Vec<char>, bool)>,
    boundary_chars: HashSet<char>,
    /// Boundary words, keyed by their last character.
    boundary_words: HashMap<char, Vec<Vec<char>>>,
    /// Allowed places, keyed by each boundary character they contain,
    /// with its offset in the word.
    allowed: HashMap<char, Vec<(Vec<char>, usize)>>,
    generic: HashSet<Vec<char>>,
    police_after: Vec<Vec<char>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        let boundary_chars: HashSet<char> = BOUNDARY_CHARS
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut literals: Vec<_> = LITERALS.iter().map(|l| (chars(l.text), l)).collect();
        literals.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
        let mut kinds: Vec<_> = SQUAD_KINDS.iter().map(|&(k, b)| (chars(k), b)).collect();
        kinds.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
        let first_chars = literals
            .iter()
            .map(|(c, _)| c[0])
            .chain(kinds.iter().map(|(c, _)| c[0]))
            .collect();
        let mut boundary_words: HashMap<char, Vec<Vec<char>>> = HashMap::default();
        for w in BOUNDARY_WORDS.split_whitespace() {
            let w = chars(w);
            boundary_words.entry(w[w.len() - 1]).or_default().push(w);
        }
        let mut allowed: HashMap<char, Vec<(Vec<char>, usize)>> = HashMap::default();
        for w in ALLOWED_PLACES.split_whitespace() {
            let w = chars(w);
            for (offset, c) in w.iter().enumerate() {
                if boundary_chars.contains(c) {
                    allowed.entry(*c).or_default().push((w.clone(), offset));
                }
            }
        }
        Tables {
            first_chars,
            literals,
            kinds,
            boundary_chars,
            boundary_words,
            allowed,
            generic: GENERIC_PREFIXES.split_whitespace().map(chars).collect(),
            police_after: POLICE_AFTER.split_whitespace().map(chars).collect(),
        }
    })
}

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
fn match_suffix(chars: &[char], i: usize, t: &Tables) -> Option<SuffixMatch> {
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
                    .is_none_or(|n| !l.not_before.contains(*n))
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
                && let Some((len, rank)) = squad_tail(chars, i + kind.len(), *bare_dui)
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
        && let Some((len, rank)) = squad_tail(chars, i, false).filter(|&(len, _)| len > 2)
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
fn squad_tail(chars: &[char], j: usize, bare_dui: bool) -> Option<(usize, u8)> {
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
    for (ty, rank) in SQUAD_TYPES {
        // Compared char by char, not collected first: this runs at every
        // numeral of a text.
        let mut end = k;
        if ty.chars().all(|c| {
            end += 1;
            chars.get(end - 1) == Some(&c)
        }) {
            return Some((end - j, *rank));
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
fn walk_prefix(chars: &[char], s: usize, floor: usize, t: &Tables) -> (usize, Stop) {
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
    t: &Tables,
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

fn ends_boundary_word(chars: &[char], k: usize, t: &Tables) -> bool {
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
    t: &Tables,
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
fn followed_by_police(chars: &[char], end: usize, t: &Tables) -> bool {
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

fn is_generic(prefix: &[char], t: &Tables) -> bool {
    prefix.is_empty()
        || prefix.iter().all(|&c| ADMIN_CHARS.contains(c))
        || prefix.iter().all(|&c| is_numeral(c))
        || prefix.len() < 2
        || t.generic.contains(prefix)
}

#[cfg(test)]
#[path = "units_tests.rs"]
mod tests;
