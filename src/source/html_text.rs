//! Text out of HTML, for the `html` source kind: the text walk that turns
//! an element into lines (the output rules in the parent module), and
//! [`main_text`], the main-content extraction used when a source gives no
//! body selector.

use scraper::{ElementRef, Html, Node};

use super::BODY;

/// Fallback main-content extraction when no body selector is given: the element (article, main, div, section, td) whose direct text (sum of text of its child `<p>`/`<br>`-separated text) is largest after dropping nav/header/footer/aside/script/style/form and elements whose class/id contains nav, menu, footer, header, sidebar, comment, share, breadcrumb, copyright; return its text with paragraphs as lines.
///
/// Details:
/// * An element's score is the number of non-whitespace characters in its
///   own text nodes (the `<br>`-separated text of old table layouts), in its
///   child `<p>` elements and in its child inline formatting elements
///   (`span`, `font`, `strong`, `b`, `em`, `i`, `u`) — not in nested
///   containers, so the innermost real content block wins over the page
///   wrapper. Ties go to the earlier element in page order.
/// * Boilerplate is dropped before scoring and from the returned text. The
///   class/id test is a case-insensitive substring test and is not applied
///   to `<html>` and `<body>`. A `<form>` whose text is longer than
///   [`FORM_WRAPPER_CHARS`] is kept: ASP.NET-style sites wrap the whole page
///   in one `<form>`, whereas search and login forms are short. If pruning
///   leaves no candidate with text (a short page inside a page-wide form),
///   scoring is retried with every `<form>` kept.
/// * When still no candidate has any text, the pruned text of `<body>` is
///   returned (empty for an empty page).
pub fn main_text(html: &str) -> String {
    main_text_of(&Html::parse_document(html))
}

/// A `<form>` with more non-whitespace characters than this is treated as a
/// page-wide layout wrapper, not as boilerplate (see [`main_text`]).
pub const FORM_WRAPPER_CHARS: usize = 200;

pub(super) fn main_text_of(doc: &Html) -> String {
    for prune in [Prune::Chrome, Prune::ChromeKeepForms] {
        let mut best: Option<(usize, ElementRef<'_>)> = None;
        score_tree(doc.root_element(), prune, &mut best);
        if let Some((_, el)) = best {
            return block_text(el, prune);
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

fn score_tree<'a>(root: ElementRef<'a>, prune: Prune, best: &mut Option<(usize, ElementRef<'a>)>) {
    // Explicit stack: arbitrarily deep (broken) markup cannot overflow the
    // thread stack. Children are pushed reversed to visit in page order.
    let mut stack = vec![root];
    while let Some(el) = stack.pop() {
        if is_boilerplate(el, prune) {
            continue;
        }
        if CANDIDATES.contains(&el.value().name()) {
            let score = direct_score(el, prune);
            if score > 0 && best.is_none_or(|(b, _)| score > b) {
                *best = Some((score, el));
            }
        }
        let children: Vec<_> = el.child_elements().collect();
        stack.extend(children.into_iter().rev());
    }
}

fn direct_score(el: ElementRef<'_>, prune: Prune) -> usize {
    let mut score = 0;
    for child in el.children() {
        match child.value() {
            Node::Text(t) => score += count_chars(t),
            Node::Element(e) => {
                let name = e.name();
                if (name == "p" || INLINE_SCORED.contains(&name))
                    && let Some(child) = ElementRef::wrap(child)
                {
                    score += count_chars(&block_text(child, prune));
                }
            }
            _ => {}
        }
    }
    score
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

/// Class/id substrings marking page chrome for [`main_text`].
const BOILERPLATE_WORDS: &[&str] = &[
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
    /// Drop all boilerplate (see [`main_text`]).
    Chrome,
    /// Drop boilerplate but keep every `<form>`: the retry for pages whose
    /// whole content sits in a short page-wide form.
    ChromeKeepForms,
}

fn is_boilerplate(el: ElementRef<'_>, prune: Prune) -> bool {
    let e = el.value();
    let name = e.name();
    if SKIP_TAGS.contains(&name) {
        return true;
    }
    if prune == Prune::Off || name == "html" || name == "body" {
        return false;
    }
    if name == "form" {
        return prune == Prune::Chrome
            && count_chars(&block_text(el, Prune::Chrome)) <= FORM_WRAPPER_CHARS;
    }
    if BOILERPLATE_TAGS.contains(&name) {
        return true;
    }
    let marked = |v: Option<&str>| {
        v.is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            BOILERPLATE_WORDS.iter().any(|w| v.contains(w))
        })
    };
    marked(e.attr("class")) || marked(e.attr("id"))
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

/// Accumulates lines of text; whitespace is collapsed when a line ends.
#[derive(Default)]
struct Lines {
    done: Vec<String>,
    current: String,
}

impl Lines {
    fn push(&mut self, s: &str) {
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
            self.done.push(line);
        }
        self.current.clear();
    }

    fn finish(mut self) -> Vec<String> {
        self.newline();
        self.done
    }
}

/// The text of `el` with one paragraph per line. With `prune`, boilerplate
/// (see [`main_text`]) below `el` is dropped; script/style and the like are
/// always dropped.
pub(super) fn block_text(el: ElementRef<'_>, prune: Prune) -> String {
    let mut lines = Lines::default();
    walk(el, prune, &mut lines);
    lines.finish().join("\n")
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
    Leave { block: bool, pre: bool },
}

fn walk(root: ElementRef<'_>, prune: Prune, out: &mut Lines) {
    // Explicit stack: arbitrarily deep (broken) markup cannot overflow the
    // thread stack.
    let mut stack = vec![Step::Enter(*root)];
    let mut pre_depth = 0usize;
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Leave { block, pre } => {
                if block {
                    out.newline();
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
                if !is_root && ElementRef::wrap(node).is_some_and(|el| is_boilerplate(el, prune)) {
                    // Keep neighbouring words apart even though the element is gone.
                    out.space();
                    continue;
                }
                let block = BLOCK_TAGS.contains(&name);
                let pre = name == "pre";
                if block {
                    out.newline();
                }
                if pre {
                    pre_depth += 1;
                }
                stack.push(Step::Leave { block, pre });
                stack.extend(node.children().rev().map(Step::Enter));
            }
            _ => {}
        }
    }
}
