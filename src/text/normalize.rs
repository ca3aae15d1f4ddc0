//! Normalisation of raw text into the plain text yuqing stores: HTML → text,
//! Unicode NFKC (full-width letters and digits → half-width; Chinese
//! full-width punctuation is kept, see [`keeps_fullwidth`]), optional
//! traditional → simplified, whitespace clean-up, and a length cap.

use scraper::{Html, Node};
use unicode_normalization::UnicodeNormalization;

/// What [`Normalizer::normalize`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// True when the text was cut at the byte cap.
    pub truncated: bool,
}

/// Text normalisation settings (from `[text]`).
#[derive(Debug, Clone)]
pub struct Normalizer {
    traditional_to_simplified: bool,
    max_bytes: usize,
}

/// HTML is parsed only up to this multiple of the text cap: markup is
/// verbose, but a 300 MB page must not go through the parser whole.
const HTML_OVERHEAD_FACTOR: usize = 8;

impl Normalizer {
    /// A normaliser; `max_bytes` caps the output text.
    pub fn new(traditional_to_simplified: bool, max_bytes: usize) -> Normalizer {
        Normalizer {
            traditional_to_simplified,
            max_bytes: max_bytes.max(16),
        }
    }

    /// From the `[text]` config section.
    pub fn from_config(config: &crate::config::TextConfig) -> Normalizer {
        Normalizer::new(config.traditional_to_simplified, config.max_text_bytes)
    }

    /// Runs every normalisation step on `raw`.
    pub fn normalize(&self, raw: &str) -> Normalized {
        let mut truncated = false;
        let raw = if raw.len() > self.max_bytes * HTML_OVERHEAD_FACTOR {
            truncated = true;
            truncate_at_char(raw, self.max_bytes * HTML_OVERHEAD_FACTOR)
        } else {
            raw
        };
        let plain = if looks_like_html(raw) {
            html_to_text(raw)
        } else {
            raw.to_string()
        };
        let mut text = nfkc_keep_cjk_punctuation(&plain);
        if self.traditional_to_simplified {
            text = fast2s::convert(&text);
        }
        let mut text = clean_whitespace(&text);
        if text.len() > self.max_bytes {
            truncated = true;
            let cut = truncate_at_char(&text, self.max_bytes).len();
            text.truncate(cut);
        }
        Normalized { text, truncated }
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub fn truncate_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// True when `text` contains something that looks like a tag (`<p`, `</`,
/// `<!--`, `<br/>`) or a character entity, so it should be parsed as HTML.
pub fn looks_like_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    let has_tag = bytes.windows(2).any(|pair| {
        pair[0] == b'<' && (pair[1].is_ascii_alphabetic() || pair[1] == b'/' || pair[1] == b'!')
    }) && text.contains('>');
    has_tag || has_entity(text)
}

fn has_entity(text: &str) -> bool {
    text.match_indices('&').any(|(at, _)| {
        let rest = &text[at + 1..];
        let end = rest.find(';').filter(|&end| end > 0 && end <= 8);
        end.is_some_and(|end| {
            let name = &rest[..end];
            name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#')
        })
    })
}

/// Elements whose text is never content.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "iframe", "svg", "canvas",
];

/// Elements that end a line or paragraph.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "nav",
    "aside",
    "main",
    "form",
    "address",
];

/// Plain text of an HTML document or fragment: entities decoded, scripts and
/// styles dropped, block elements on their own lines.
pub fn html_to_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let mut out = String::with_capacity(html.len() / 2);
    // Depth-first walk without recursion (deeply nested pages are common);
    // a `None` marker on the stack closes a block element.
    let mut pending: Vec<Option<ego_tree::NodeRef<'_, Node>>> = vec![Some(document.tree.root())];
    while let Some(entry) = pending.pop() {
        let Some(node) = entry else {
            out.push('\n');
            continue;
        };
        match node.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if SKIPPED_ELEMENTS.contains(&name) {
                    continue;
                }
                if name == "br" || name == "hr" {
                    out.push('\n');
                    continue;
                }
                if BLOCK_ELEMENTS.contains(&name) {
                    out.push('\n');
                    pending.push(None);
                }
                let children: Vec<_> = node.children().collect();
                pending.extend(children.into_iter().rev().map(Some));
            }
            Node::Document | Node::Fragment => {
                let children: Vec<_> = node.children().collect();
                pending.extend(children.into_iter().rev().map(Some));
            }
            _ => {}
        }
    }
    out
}

/// Full-width forms that NFKC would fold to ASCII but that belong to Chinese
/// typography: ，：；！？（）etc. Folding them would turn “你好，世界！” into
/// “你好,世界!”, which reads wrongly in the UI and the digest; letters, digits
/// and the full-width space are still folded.
pub fn keeps_fullwidth(c: char) -> bool {
    matches!(c,
        '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
}

/// NFKC, except for the punctuation [`keeps_fullwidth`] names.
pub fn nfkc_keep_cjk_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start = 0;
    for (at, c) in text.char_indices() {
        if keeps_fullwidth(c) {
            out.extend(text[run_start..at].nfkc());
            out.push(c);
            run_start = at + c.len_utf8();
        }
    }
    out.extend(text[run_start..].nfkc());
    out
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    ) || (c.is_control() && c != '\n' && c != '\t')
}

/// Collapses runs of spaces and tabs into one space, trims every line, drops
/// invisible and control characters, and keeps at most one blank line between
/// paragraphs.
pub fn clean_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0usize;
    for line in text.split('\n') {
        let mut cleaned = String::with_capacity(line.len());
        let mut pending_space = false;
        for c in line.chars() {
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                pending_space = !cleaned.is_empty();
                continue;
            }
            if pending_space {
                cleaned.push(' ');
                pending_space = false;
            }
            cleaned.push(c);
        }
        if cleaned.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_lines > 0 {
                out.push('\n');
            }
        }
        blank_lines = 0;
        out.push_str(&cleaned);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, input, expected) golden triples.
    const GOLDEN: &[(&str, &str, &str)] = &[
        (
            "full-width letters and digits fold, Chinese punctuation stays",
            "ＡＢＣ１２３号，民警说：“请稍等！”",
            "ABC123号，民警说：“请稍等！”",
        ),
        (
            "ideographic space becomes a space",
            "城关\u{3000}派出所",
            "城关 派出所",
        ),
        (
            "html paragraphs become paragraphs, script dropped, entities decoded",
            "<html><head><title>t</title></head><body><p>第一段&nbsp;内容</p><script>var a=1;</script><p>第二段 &amp; 结尾</p></body></html>",
            "第一段 内容\n\n第二段 & 结尾",
        ),
        (
            "br splits lines",
            "打了110<br>没人来<br/>等了一小时",
            "打了110\n没人来\n等了一小时",
        ),
        (
            "whitespace runs and blank lines collapse",
            "  民警   态度\t很差 \n\n\n\n 第二段  ",
            "民警 态度 很差\n\n第二段",
        ),
        (
            "zero-width characters vanish",
            "派\u{200B}出\u{FEFF}所",
            "派出所",
        ),
        (
            "plain text with a less-than sign is not html",
            "3<5 而且 a > b",
            "3<5 而且 a > b",
        ),
        (
            "circled and compatibility forms fold",
            "①号窗口 ㈱",
            "1号窗口 (株)",
        ),
    ];

    #[test]
    fn golden_normalisation() {
        let normalizer = Normalizer::new(false, 1 << 20);
        for (name, input, expected) in GOLDEN {
            assert_eq!(normalizer.normalize(input).text, *expected, "case: {name}");
        }
    }

    #[test]
    fn traditional_to_simplified_when_switched_on() {
        let on = Normalizer::new(true, 1 << 20);
        let off = Normalizer::new(false, 1 << 20);
        let text = "警察態度很差，報警後無人處理";
        assert_eq!(on.normalize(text).text, "警察态度很差，报警后无人处理");
        assert_eq!(off.normalize(text).text, text);
    }

    #[test]
    fn cap_cuts_on_a_character_boundary() {
        let normalizer = Normalizer::new(false, 20);
        let out = normalizer.normalize(&"派出所".repeat(100));
        assert!(out.truncated);
        assert_eq!(out.text, "派出所派出所"); // 18 bytes, the 19th would split a char
    }

    #[test]
    fn huge_html_is_capped_before_parsing() {
        let normalizer = Normalizer::new(false, 1024);
        let html = format!("<p>{}</p>", "很长的内容".repeat(100_000));
        let out = normalizer.normalize(&html);
        assert!(out.truncated);
        assert!(out.text.len() <= 1024);
        assert!(out.text.starts_with("很长的内容"));
    }

    #[test]
    fn deeply_nested_html_does_not_overflow_the_stack() {
        let html = format!("{}深处{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        assert_eq!(html_to_text(&html).trim(), "深处");
    }
}
