//! Trimming a main-content block's edges, for [`super::main_text`]: the
//! lines a content block carries before and after the article text —
//! 原标题 notes, bylines, video-player captions, summary headings, credit
//! lines (责任编辑, 来源, 校对…), disclaimers, pagers, related links, share
//! and subscribe prompts. Only the first and last lines are looked at: the
//! same words inside the text stay.

use super::text::Line;

/// Words that make a short edge line a credit or a page's furniture.
const CREDIT_WORDS: &[&str] = &[
    "责任编辑",
    "责编",
    "编辑：",
    "编辑:",
    "编辑|",
    "编辑 ",
    "编辑/",
    "摄影/",
    "摄影：",
    "供稿",
    "【编辑",
    "校对",
    "本文来源",
    "文章来源",
    "资料来源",
    "信息来源",
    "采写",
    "综合整理",
    "整理自",
    "图片均来自",
    "图片来自网络",
    "亦有贡献",
    "本文来自",
    "本文为",
    "原创文章",
    "更多原创",
    "转载",
    "版权",
    "原题为",
    "原标题",
    "相关新闻",
    "相关阅读",
    "相关资讯",
    "相关文章",
    "相关推荐",
    "相关报道",
    "延伸阅读",
    "推荐阅读",
    "此前报道",
    "点击进入",
    "点击查看",
    "点击菜单",
    "扫描下方",
    "扫码",
    "二维码",
    "回复【",
    "【在看】",
    "返回首页",
    "返回顶部",
    "查看更多",
    "阅读全文",
    "关键词：",
    "关键词:",
    "关键字：",
    "关键字 :",
    "【纠错】",
    "分享到",
    "邮件至",
    "无法播放",
    "自动播放",
];

/// Words that make an edge line of any length a disclaimer.
const DISCLAIMER_WORDS: &[&str] = &["免责声明", "特别声明", "声明：", "声明:"];

/// Prefixes of a first line that is a note or a byline, not the text.
const LEADING_PREFIXES: &[&str] = &[
    "原标题",
    "本文原标题",
    "（原标题",
    "(原标题",
    "视频-",
    "文/",
    "【文/",
    "执笔/",
    "原创：",
    "原创:",
    "来源：",
    "来源:",
    "来源|",
    "摄影：",
    "作者：",
    "作者:",
    "摘要：",
    "摘要:",
    "划重点",
];

/// Longest credit line: longer lines are text even when a word matches.
const CREDIT_CHARS: usize = 60;

fn chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// A pager (`【1】【2】【3】`, `上一页 1/2 下一页`).
fn is_pager(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("上一页")
        || compact.contains("下一页")
        || (!compact.is_empty()
            && compact.split_inclusive('】').all(|p| {
                p.starts_with('【')
                    && p.ends_with('】')
                    && p[3..p.len() - 3].chars().all(|c| c.is_ascii_digit())
            }))
}

/// A short credit line such as `示例日报记者 张晓明`.
fn is_reporter_line(text: &str) -> bool {
    text.contains("记者") && chars(text) <= 25 && !text.contains(['，', '。'])
}

/// Whether an edge line is not article text (either edge).
fn is_edge_furniture(line: &Line) -> bool {
    let text = line.text.as_str();
    let n = chars(text);
    if n <= 3 && !text.contains(['。', '！', '？']) {
        return true;
    }
    // Related links and "此前报道：<a>…</a>": mostly link text.
    if line.link_chars * 10 >= n * 6 {
        return true;
    }
    if DISCLAIMER_WORDS.iter().any(|w| text.contains(w)) || is_pager(text) {
        return true;
    }
    if n <= CREDIT_CHARS
        && (CREDIT_WORDS.iter().any(|w| text.contains(w)) || is_reporter_line(text))
    {
        return true;
    }
    // A heading left over from a box: `相关新闻：`, `点击进入专题：`.
    n <= 10 && text.trim_end().ends_with(['：', ':'])
}

/// Whether an edge line is a note or byline (see [`LEADING_PREFIXES`]):
/// `来源：…` ends articles too.
fn is_note(line: &Line) -> bool {
    let text = line.text.trim_start_matches(['（', '(', '【', '[', ' ']);
    LEADING_PREFIXES.iter().any(|p| text.starts_with(p))
}

/// A short line without sentence punctuation: a caption or tagline that
/// belongs to the furniture line next to it (`经过…重新编排` after a credit).
fn is_tagline(line: &Line) -> bool {
    chars(&line.text) <= 10 && !line.text.contains(['。', '！', '？', '，', '…'])
}

/// Whether a line is a related-articles heading: short, no sentence
/// punctuation, and `相关…`, `…推荐`, `…阅读`, `猜你喜欢` or `更多精彩`
/// (相关新闻, 为你推荐, 热门推荐, 延伸阅读…).
fn is_related_heading(line: &Line) -> bool {
    let text: String = line
        .text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | ':' | '：'))
        .collect();
    chars(&text) <= 12
        && !text.contains(['。', '，', '！', '？'])
        && (text.starts_with("相关")
            || text.ends_with("推荐")
            || text.ends_with("阅读")
            || text.contains("猜你喜欢")
            || text.contains("更多精彩"))
}

/// How far from the end a related-articles heading is looked for.
const RELATED_TAIL_LINES: usize = 8;

/// The lines without furniture at either edge (at least one line is kept):
/// leading notes, bylines and their taglines; trailing credits, related
/// boxes (from a short `为你推荐` / `相关新闻` heading among the last
/// lines on), disclaimers and pagers.
pub(super) fn trim_edges(lines: Vec<Line>) -> Vec<String> {
    let mut start = 0;
    let mut end = lines.len();
    let furniture = |l: &Line| is_edge_furniture(l) || is_note(l);
    while end - start > 1 && furniture(&lines[start]) {
        start += 1;
        if end - start > 1 && is_tagline(&lines[start]) {
            start += 1;
        }
    }
    if let Some(heading) = (start + 1..end)
        .rev()
        .take(RELATED_TAIL_LINES)
        .find(|&i| is_related_heading(&lines[i]))
    {
        end = heading;
    }
    while end - start > 1 && furniture(&lines[end - 1]) {
        end -= 1;
    }
    while end - start > 2 && is_tagline(&lines[end - 1]) && furniture(&lines[end - 2]) {
        end -= 2;
        while end - start > 1 && furniture(&lines[end - 1]) {
            end -= 1;
        }
    }
    lines[start..end].iter().map(|l| l.text.clone()).collect()
}

/// `text` without its first lines when they repeat the headline (a title
/// box inside the content block, possibly broken over up to 4 lines), and
/// without the notes and bylines that followed that box.
pub(super) fn drop_repeated_headline(text: String, headline: &str) -> String {
    let key = super::meta::compact(headline);
    if key.is_empty() {
        return text;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut joined = String::new();
    for (i, line) in lines.iter().enumerate().take(4) {
        joined.push_str(&super::meta::compact(line));
        if joined == key && i + 1 < lines.len() {
            // What followed the title box is an edge now: trim it again.
            let rest = lines[i + 1..]
                .iter()
                .map(|l| Line {
                    text: l.to_string(),
                    link_chars: 0,
                })
                .collect();
            return trim_edges(rest).join("\n");
        }
        if !key.starts_with(&joined) {
            break;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[(&str, usize)]) -> Vec<Line> {
        texts
            .iter()
            .map(|(t, l)| Line {
                text: t.to_string(),
                link_chars: *l,
            })
            .collect()
    }

    #[test]
    fn notes_bylines_and_credits_are_trimmed_from_the_edges_only() {
        let body = lines(&[
            ("（原标题：江边步道今起夜间开放）", 0),
            ("示例日报记者 张晓明", 0),
            ("相关新闻：", 0),
            ("滨江公园改造完工", 8),
            ("记者从市园林局获悉，江边步道自今日起夜间开放。", 0),
            ("本文来源：示例日报 责任编辑：王芳", 0),
            ("步道沿线新增路灯二百余盏，市民夜间出行更方便。", 0),
            ("编辑 刘芳 校对 李明", 0),
            ("【1】【2】【3】", 0),
            ("此前报道：滨江公园改造完工", 9),
            (
                "免责声明：本文仅代表作者本人观点，与本网无关，其原创性以及文中陈述文字和内容未经本站证实，对本文以及其中全部或者部分内容的真实性、完整性不作任何保证或承诺。",
                0,
            ),
            ("(责编：王芳)", 0),
        ]);
        assert_eq!(
            trim_edges(body),
            vec![
                "记者从市园林局获悉，江边步道自今日起夜间开放。",
                "本文来源：示例日报 责任编辑：王芳",
                "步道沿线新增路灯二百余盏，市民夜间出行更方便。",
            ]
        );
    }

    #[test]
    fn a_repeated_headline_is_dropped_even_over_several_lines() {
        let text = "关于调整城区停车收费\n标准的决定\n第一条 正文。".to_string();
        assert_eq!(
            drop_repeated_headline(text, "关于调整城区停车收费标准的决定"),
            "第一条 正文。"
        );
        let text = "关于调整城区停车收费标准的决定".to_string();
        assert_eq!(
            drop_repeated_headline(text.clone(), "关于调整城区停车收费标准的决定"),
            text
        );
        let text = "关于\n别的内容".to_string();
        assert_eq!(drop_repeated_headline(text.clone(), "关于批准"), text);
    }

    #[test]
    fn a_text_that_is_all_furniture_keeps_one_line() {
        let body = lines(&[("责任编辑：王芳", 0), ("来源：示例日报", 0)]);
        assert_eq!(trim_edges(body), vec!["来源：示例日报"]);
        assert!(trim_edges(Vec::new()).is_empty());
    }
}
