//! Text out of HTML, for the `html` source kind: the text walk that turns
//! an element into lines (the output rules in the parent module), and
//! [`main_text`], the main-content extraction used when a source gives no
//! body selector.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Node};

use super::BODY;

/// Fallback main-content extraction when no body selector is given: the element (article, main, div, section, td) whose direct text (sum of text of its child `<p>`/`<br>`-separated text) is largest after dropping nav/header/footer/aside/script/style/form, hidden elements and elements whose class/id contains nav, menu, footer, header, sidebar, comment, share, breadcrumb, copyright, introduction or abstract; return its text with paragraphs as lines, without the furniture at its edges.
///
/// Details:
/// * An element's score is the number of non-whitespace characters in its
///   own text nodes (the `<br>`-separated text of old table layouts), in its
///   child `<p>` elements and in its child inline formatting elements
///   (`span`, `font`, `strong`, `b`, `em`, `i`, `u`) — not in nested
///   containers, so the innermost real content block wins over the page
///   wrapper — less the characters of links in them (navigation lists are
///   not prose). Ties go to the earlier element in page order.
/// * Two passes: the first drops only the chrome tags, hidden elements,
///   short forms and footer/comment/copyright/breadcrumb classes; the
///   wrappers around its best block are content whatever their class or id
///   says (a `page_header` div around a whole page, a `class="xshare_box"`
///   article). The second pass drops all boilerplate
///   but those wrappers.
/// * Boilerplate is dropped before scoring and from the returned text. The
///   class/id test is a case-insensitive substring test and is not applied
///   to `<html>` and `<body>`. A `<form>` whose text is longer than
///   [`FORM_WRAPPER_CHARS`] is kept: ASP.NET-style sites wrap the whole page
///   in one `<form>`, whereas search and login forms are short. If pruning
///   leaves no candidate with text (a short page inside a page-wide form),
///   scoring is retried with every `<form>` kept.
/// * When the best block is a `div`/`section` whose siblings are more
///   paragraphs in wrappers of their own (`<div><p>…</p></div>` per
///   paragraph), their parent is taken instead.
/// * The first and last lines are trimmed of furniture: 原标题 notes,
///   bylines, video-player lines, credit lines (责任编辑, 来源, 校对…),
///   disclaimers, pagers, mostly-link lines and a related box under a
///   short 相关新闻/延伸阅读 heading near the end (see `html_clean.rs`).
/// * When still no candidate has any text, the pruned text of `<body>` is
///   returned (empty for an empty page).
pub fn main_text(html: &str) -> String {
    main_text_of(&Html::parse_document(html))
}

/// A `<form>` with more non-whitespace characters than this is treated as a
/// page-wide layout wrapper, not as boilerplate (see [`main_text`]).
pub const FORM_WRAPPER_CHARS: usize = 200;

pub(super) fn main_text_of(doc: &Html) -> String {
    // A first pass by tags alone finds the largest text block; the wrappers
    // around it are content whatever their class says (a `page_header` div
    // around a whole article page).
    let mut first: Option<(usize, ElementRef<'_>)> = None;
    let none = HashSet::new();
    score_tree(doc.root_element(), Prune::Tags, &none, &mut first);
    let keep: HashSet<NodeId> = first
        .filter(|(score, _)| *score >= KEEP_SCORE)
        .map(|(_, el)| {
            std::iter::once(*el)
                .chain(el.ancestors())
                .map(|a| a.id())
                .collect()
        })
        .unwrap_or_default();
    for prune in [Prune::Chrome, Prune::ChromeKeepForms] {
        let mut best: Option<(usize, ElementRef<'_>)> = None;
        score_tree(doc.root_element(), prune, &keep, &mut best);
        if let Some((score, el)) = best {
            let lines = block_lines(widen(el, score, prune, &keep), prune, &keep);
            return super::clean::trim_edges(lines).join("\n");
        }
    }
    let root = doc
        .select(&BODY)
        .next()
        .unwrap_or_else(|| doc.root_element());
    block_text(root, Prune::Chrome)
}

const CANDIDATES: &[&str] = &["article", "main", "div", "section", "td"];
const INLINE_SCORED: &[&str] = &["span", "font", "strong", "b", "em", "i", "u"];

fn score_tree<'a>(
    root: ElementRef<'a>,
    prune: Prune,
    keep: &HashSet<NodeId>,
    best: &mut Option<(usize, ElementRef<'a>)>,
) {
    // Explicit stack: arbitrarily deep (broken) markup cannot overflow the
    // thread stack. Children are pushed reversed to visit in page order.
    let mut stack = vec![root];
    while let Some(el) = stack.pop() {
        if is_boilerplate(el, prune, keep) {
            continue;
        }
        if CANDIDATES.contains(&el.value().name()) {
            let score = direct_score(el, prune, keep);
            if score > 0 && best.is_none_or(|(b, _)| score > b) {
                *best = Some((score, el));
            }
        }
        let children: Vec<_> = el.child_elements().collect();
        stack.extend(children.into_iter().rev());
    }
}

fn direct_score(el: ElementRef<'_>, prune: Prune, keep: &HashSet<NodeId>) -> usize {
    let mut score = 0;
    for child in el.children() {
        match child.value() {
            Node::Text(t) => score += count_chars(t),
            Node::Element(e) => {
                let name = e.name();
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                let paragraph = name == "p" || INLINE_SCORED.contains(&name);
                if paragraph && !is_boilerplate(child, prune, keep) {
                    let text = count_chars(&block_text_keeping(child, prune, keep));
                    score += text.saturating_sub(link_chars(child));
                }
            }
            _ => {}
        }
    }
    score
}

/// The first pass's block must have this score for its wrappers to be kept
/// whatever their class says.
const KEEP_SCORE: usize = 100;

/// Elements that some editors wrap each paragraph in (`<div><p>…</p></div>`,
/// `<section><span>…</span></section>`), so that the best-scoring block is
/// one paragraph among its siblings (see [`widen`]).
const PARAGRAPH_WRAPPERS: &[&str] = &["div", "section"];

/// The best block, or its parent when its siblings are paragraphs in
/// wrappers of their own (together at least half its text): the article is
/// the parent. Repeated for nested wrappers.
fn widen<'a>(
    mut best: ElementRef<'a>,
    mut score: usize,
    prune: Prune,
    keep: &HashSet<NodeId>,
) -> ElementRef<'a> {
    let paragraph = |el: ElementRef<'_>| {
        PARAGRAPH_WRAPPERS.contains(&el.value().name())
            && is_single_paragraph(el)
            && !is_boilerplate(el, prune, keep)
    };
    let prose = |el: ElementRef<'_>| {
        count_chars(&block_text_keeping(el, prune, keep)).saturating_sub(link_chars(el))
    };
    while PARAGRAPH_WRAPPERS.contains(&best.value().name()) {
        let Some(parent) = best.parent().and_then(ElementRef::wrap) else {
            break;
        };
        if matches!(parent.value().name(), "body" | "html") {
            break;
        }
        let siblings: usize = parent
            .child_elements()
            .filter(|c| c.id() != best.id() && paragraph(*c))
            .map(prose)
            .sum();
        if siblings == 0 || siblings * 2 < score {
            break;
        }
        score += siblings;
        best = parent;
    }
    best
}

/// Text and inline elements only, or a single `<p>`: no container, list,
/// table, line break or second paragraph inside.
fn is_single_paragraph(el: ElementRef<'_>) -> bool {
    let mut paragraphs = 0;
    for d in el.descendants().skip(1) {
        let Some(e) = d.value().as_element() else {
            continue;
        };
        match e.name() {
            "p" => paragraphs += 1,
            "br" | "ul" | "ol" | "table" | "dl" => return false,
            name if CANDIDATES.contains(&name) => return false,
            _ => {}
        }
        if paragraphs > 1 {
            return false;
        }
    }
    true
}

/// Characters of link text under `el`: links are navigation, not prose.
fn link_chars(el: ElementRef<'_>) -> usize {
    el.descendants()
        .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "a"))
        .filter_map(ElementRef::wrap)
        .map(|a| a.text().map(count_chars).sum::<usize>())
        .sum()
}

fn count_chars(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

/// Elements whose text is never content.
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "select", "option", "button", "textarea", "input", "head", "title", "meta", "link",
];

/// Tags dropped as page chrome by [`main_text`].
const BOILERPLATE_TAGS: &[&str] = &["nav", "header", "footer", "aside"];

/// Class/id substrings of [`BOILERPLATE_WORDS`] that also name layout
/// wrappers (`page_header`, `nav-wrap`) or turn up inside other words
/// (`xshare`): not applied in the first pass of [`main_text`].
const LAYOUT_WORDS: &[&str] = &["nav", "menu", "header", "sidebar", "share"];

/// Class/id substrings marking page chrome for [`main_text`].
const BOILERPLATE_WORDS: &[&str] = &[
    "introduction",
    "abstract",
    "nav",
    "menu",
    "footer",
    "header",
    "sidebar",
    "comment",
    "share",
    "breadcrumb",
    "copyright",
];

/// How much of the page chrome a text walk or scoring pass drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prune {
    /// Drop nothing beyond [`SKIP_TAGS`] (explicit selectors).
    Off,
    /// Drop comment boxes (class or id with `comment`) only: where the
    /// publish-time heuristic looks for a labelled date anywhere.
    Comments,
    /// Drop hidden elements, short forms, the chrome tags
    /// ([`BOILERPLATE_TAGS`]) and footer/comment/… classes, but not the
    /// [`LAYOUT_WORDS`]: the first pass of [`main_text`].
    Tags,
    /// Drop all boilerplate (see [`main_text`]).
    Chrome,
    /// Drop boilerplate but keep every `<form>`: the retry for pages whose
    /// whole content sits in a short page-wide form.
    ChromeKeepForms,
}

fn is_boilerplate(el: ElementRef<'_>, prune: Prune, keep: &HashSet<NodeId>) -> bool {
    let e = el.value();
    let name = e.name();
    if SKIP_TAGS.contains(&name) {
        return true;
    }
    if prune == Prune::Off || name == "html" || name == "body" {
        return false;
    }
    if prune == Prune::Comments {
        return [e.attr("class"), e.attr("id")]
            .into_iter()
            .flatten()
            .any(|v| v.to_ascii_lowercase().contains("comment"));
    }
    if is_hidden(el) {
        return true;
    }
    if name == "form" {
        return prune != Prune::ChromeKeepForms
            && count_chars(&block_text_keeping(el, Prune::Chrome, keep)) <= FORM_WRAPPER_CHARS;
    }
    if BOILERPLATE_TAGS.contains(&name) {
        return true;
    }
    if keep.contains(&el.id()) {
        return false;
    }
    let marked = |v: Option<&str>| {
        v.is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            BOILERPLATE_WORDS
                .iter()
                .filter(|w| prune != Prune::Tags || !LAYOUT_WORDS.contains(w))
                .any(|w| v.contains(w))
        })
    };
    marked(e.attr("class")) || marked(e.attr("id"))
}

/// `hidden`, `display:none` or `visibility:hidden` (keyword-spam blocks).
fn is_hidden(el: ElementRef<'_>) -> bool {
    let e = el.value();
    if e.attr("hidden").is_some() {
        return true;
    }
    e.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Elements that start and end a line.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// One line of text and how many of its characters are link text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// The line, whitespace collapsed.
    pub text: String,
    /// Non-whitespace characters inside `<a>` elements.
    pub link_chars: usize,
}

/// Accumulates lines of text; whitespace is collapsed when a line ends.
#[derive(Default)]
struct Lines {
    done: Vec<Line>,
    current: String,
    link_chars: usize,
    in_link: usize,
}

impl Lines {
    fn push(&mut self, s: &str) {
        if self.in_link > 0 {
            self.link_chars += count_chars(s);
        }
        self.current.push_str(s);
    }

    fn space(&mut self) {
        self.current.push(' ');
    }

    fn newline(&mut self) {
        let line = self
            .current
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !line.is_empty() {
            self.done.push(Line {
                text: line,
                link_chars: self.link_chars,
            });
        }
        self.current.clear();
        self.link_chars = 0;
    }

    fn finish(mut self) -> Vec<Line> {
        self.newline();
        self.done
    }
}

/// The text of `el` with one paragraph per line. With `prune`, boilerplate
/// (see [`main_text`]) below `el` is dropped; script/style and the like are
/// always dropped.
pub(super) fn block_text(el: ElementRef<'_>, prune: Prune) -> String {
    block_text_keeping(el, prune, &HashSet::new())
}

/// [`block_text`], not pruning the elements in `keep` for a layout word.
fn block_text_keeping(el: ElementRef<'_>, prune: Prune, keep: &HashSet<NodeId>) -> String {
    block_lines(el, prune, keep)
        .into_iter()
        .map(|l| l.text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of [`block_text_keeping`] with their link text counted.
fn block_lines(el: ElementRef<'_>, prune: Prune, keep: &HashSet<NodeId>) -> Vec<Line> {
    let mut lines = Lines::default();
    walk(el, prune, keep, &mut lines);
    lines.finish()
}

/// The text of `el` on a single line.
pub(super) fn line_text(el: ElementRef<'_>) -> String {
    block_text(el, Prune::Off)
        .split('\n')
        .collect::<Vec<_>>()
        .join(" ")
}

/// One step of the iterative walk in [`block_text`]; generic so the tree's
/// node type need not be named.
enum Step<N> {
    Enter(N),
    Leave { block: bool, pre: bool, link: bool },
}

fn walk(root: ElementRef<'_>, prune: Prune, keep: &HashSet<NodeId>, out: &mut Lines) {
    // Explicit stack: arbitrarily deep (broken) markup cannot overflow the
    // thread stack.
    let mut stack = vec![Step::Enter(*root)];
    let mut pre_depth = 0usize;
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Leave { block, pre, link } => {
                if block {
                    out.newline();
                }
                if link {
                    out.in_link -= 1;
                }
                if pre {
                    pre_depth -= 1;
                }
                continue;
            }
            Step::Enter(node) => node,
        };
        match node.value() {
            Node::Text(t) if pre_depth > 0 => {
                let mut parts = t.split('\n');
                if let Some(first) = parts.next() {
                    out.push(first);
                }
                for part in parts {
                    out.newline();
                    out.push(part);
                }
            }
            Node::Text(t) => out.push(t),
            Node::Element(e) => {
                let name = e.name();
                let is_root = node.id() == root.id();
                if SKIP_TAGS.contains(&name) && !is_root {
                    continue;
                }
                if name == "br" {
                    out.newline();
                    continue;
                }
                // The root itself is never pruned (that also keeps
                // `is_boilerplate` on a form from recursing into itself).
                if !is_root
                    && ElementRef::wrap(node).is_some_and(|el| is_boilerplate(el, prune, keep))
                {
                    // Keep neighbouring words apart even though the element is gone.
                    out.space();
                    continue;
                }
                let block = BLOCK_TAGS.contains(&name);
                let pre = name == "pre";
                let link = name == "a";
                if block {
                    out.newline();
                }
                if pre {
                    pre_depth += 1;
                }
                if link {
                    out.in_link += 1;
                }
                stack.push(Step::Leave { block, pre, link });
                stack.extend(node.children().rev().map(Step::Enter));
            }
            _ => {}
        }
    }
}
