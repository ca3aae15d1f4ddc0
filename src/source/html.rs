//! Extraction for the `html` source kind: list pages, article pages and
//! petition-board pages described by CSS selectors.
//!
//! Everything here is a pure function of the page text, its URL and the
//! source's compiled [`PageSelectors`]; fetching, politeness and date parsing
//! live elsewhere.
//!
//! Text output rules shared by every field:
//! * whitespace (including `&nbsp;` and the full-width space U+3000) is
//!   collapsed to one ASCII space within a line and trimmed at both ends;
//! * block elements (`p`, `div`, `li`, `tr`, headings, …) and `<br>` start a
//!   new line, so a multi-paragraph field comes back as one paragraph per
//!   line, without empty lines;
//! * the text of `script`, `style`, `noscript`, `template` and similar
//!   non-content elements is never included;
//! * entities are decoded by the HTML parser; broken markup is repaired by it
//!   (html5ever never fails), so none of these functions fail on bad HTML.

use std::collections::HashSet;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use crate::pipeline::RawItem;

/// Errors of selector compilation and article extraction.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// A configured selector is not valid CSS; `key` is the config key
    /// (`link_selector`, `body_selector`, …).
    #[error("invalid CSS selector `{selector}` for {key}: {reason}")]
    Selector {
        /// Config key of the selector.
        key: &'static str,
        /// The selector text as configured.
        selector: String,
        /// The parser's reason.
        reason: String,
    },
    /// A required selector matched nothing on a page. Only `body_selector`
    /// is required on article pages (see [`article_page`]).
    #[error("{url}: no element matches {key} `{selector}`")]
    Missing {
        /// The page URL.
        url: String,
        /// Config key of the selector.
        key: &'static str,
        /// The selector text as configured.
        selector: String,
    },
}

/// The selector strings of one source, as written in its config.
///
/// `link` is required; every other selector is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct SelectorSpec<'a> {
    /// `link_selector`: item links on a list page (an `<a href>` or an
    /// element containing one).
    pub link: &'a str,
    /// `next_selector`: the link to the next list page.
    pub next: Option<&'a str>,
    /// `title_selector`: the article title.
    pub title: Option<&'a str>,
    /// `body_selector`: the article body.
    pub body: Option<&'a str>,
    /// `time_selector`: the publication time.
    pub time: Option<&'a str>,
    /// `author_selector`: the author or publishing unit.
    pub author: Option<&'a str>,
    /// `status_selector`: petition status (e.g. 已回复).
    pub status: Option<&'a str>,
    /// `reply_selector`: the official reply text.
    pub reply: Option<&'a str>,
    /// `reply_unit_selector`: the replying unit.
    pub reply_unit: Option<&'a str>,
    /// `replied_at_selector`: the reply time.
    pub replied_at: Option<&'a str>,
}

/// One compiled selector together with its source text and config key, so
/// errors can name both.
#[derive(Debug, Clone)]
struct Compiled {
    key: &'static str,
    source: String,
    selector: Selector,
}

impl Compiled {
    fn new(key: &'static str, source: &str) -> Result<Self, HtmlError> {
        let invalid = |reason: String| HtmlError::Selector {
            key,
            selector: source.to_string(),
            reason,
        };
        if source.trim().is_empty() {
            return Err(invalid("empty selector".to_string()));
        }
        let selector = Selector::parse(source).map_err(|e| invalid(e.to_string()))?;
        Ok(Compiled {
            key,
            source: source.to_string(),
            selector,
        })
    }

    fn optional(key: &'static str, source: Option<&str>) -> Result<Option<Self>, HtmlError> {
        source.map(|s| Compiled::new(key, s)).transpose()
    }

    fn first<'a>(&self, doc: &'a Html) -> Option<ElementRef<'a>> {
        doc.select(&self.selector).next()
    }
}

/// Compiled selectors of one source (compile once, validate at config load).
#[derive(Debug, Clone)]
pub struct PageSelectors {
    link: Compiled,
    next: Option<Compiled>,
    title: Option<Compiled>,
    body: Option<Compiled>,
    time: Option<Compiled>,
    author: Option<Compiled>,
    status: Option<Compiled>,
    reply: Option<Compiled>,
    reply_unit: Option<Compiled>,
    replied_at: Option<Compiled>,
}

impl PageSelectors {
    /// Compiles every selector of `spec`.
    ///
    /// Fails with [`HtmlError::Selector`] naming the config key
    /// (`link_selector`, `next_selector`, `title_selector`, `body_selector`,
    /// `time_selector`, `author_selector`, `status_selector`,
    /// `reply_selector`, `reply_unit_selector`, `replied_at_selector`) of the
    /// first selector that is empty or not valid CSS.
    pub fn compile(spec: &SelectorSpec) -> Result<PageSelectors, HtmlError> {
        Ok(PageSelectors {
            link: Compiled::new("link_selector", spec.link)?,
            next: Compiled::optional("next_selector", spec.next)?,
            title: Compiled::optional("title_selector", spec.title)?,
            body: Compiled::optional("body_selector", spec.body)?,
            time: Compiled::optional("time_selector", spec.time)?,
            author: Compiled::optional("author_selector", spec.author)?,
            status: Compiled::optional("status_selector", spec.status)?,
            reply: Compiled::optional("reply_selector", spec.reply)?,
            reply_unit: Compiled::optional("reply_unit_selector", spec.reply_unit)?,
            replied_at: Compiled::optional("replied_at_selector", spec.replied_at)?,
        })
    }
}

fn fixed(css: &str) -> Selector {
    // Only used with the literal selectors below, which are valid CSS.
    Selector::parse(css).expect("built-in selector is valid CSS")
}

static A_HREF: LazyLock<Selector> = LazyLock::new(|| fixed("a[href]"));
static BASE_HREF: LazyLock<Selector> = LazyLock::new(|| fixed("base[href]"));
static H1: LazyLock<Selector> = LazyLock::new(|| fixed("h1"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| fixed("title"));
static TIME_DATETIME: LazyLock<Selector> = LazyLock::new(|| fixed("time[datetime]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| fixed("body"));

/// Item links (resolved against `base`, http/https only, fragment dropped, de-duplicated in page order) and the next list page, if any.
///
/// Each element matched by `link_selector` contributes its own `href`, or,
/// when it is not a link itself (e.g. `ul.list li`), the first `<a href>`
/// inside it. A `<base href>` in the page, if present, takes precedence over
/// `base` for resolving (itself resolved against `base`). `javascript:`,
/// `mailto:` and other non-http(s) links, and hrefs that do not parse, are
/// dropped.
///
/// The next page is the first `next_selector` match that resolves to an
/// http(s) URL different from the current page; a "下一页" that points back
/// at the page itself (as many boards render on their last page) or at
/// `javascript:;` yields `None`, so callers cannot loop.
pub fn list_page(html: &str, base: &Url, selectors: &PageSelectors) -> (Vec<Url>, Option<Url>) {
    let doc = Html::parse_document(html);
    let resolve_base = doc
        .select(&BASE_HREF)
        .next()
        .and_then(|b| b.attr("href"))
        .and_then(|href| base.join(href.trim()).ok())
        .filter(is_http)
        .unwrap_or_else(|| base.clone());

    let mut seen = HashSet::new();
    let mut links = Vec::new();
    for el in doc.select(&selectors.link.selector) {
        if let Some(url) = link_of(el).and_then(|href| resolve(&resolve_base, href))
            && seen.insert(url.clone())
        {
            links.push(url);
        }
    }

    let mut current = base.clone();
    current.set_fragment(None);
    let next = selectors.next.as_ref().and_then(|next| {
        doc.select(&next.selector)
            .filter_map(|el| link_of(el).and_then(|href| resolve(&resolve_base, href)))
            .find(|url| *url != current)
    });
    (links, next)
}

/// The `href` of `el` itself, or of the first `<a href>` inside it.
fn link_of(el: ElementRef<'_>) -> Option<&str> {
    el.attr("href")
        .or_else(|| el.select(&A_HREF).next().and_then(|a| a.attr("href")))
}

fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// Resolves `href` against `base`; http(s) only, fragment dropped.
fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = base.join(href).ok().filter(is_http)?;
    url.set_fragment(None);
    Some(url)
}

/// One article page → a RawItem: title (title selector, else `<h1>`, else `<title>`), body text (body selector's text with block elements as line breaks, else the main-content fallback below), published_at as the time element's `datetime` attribute or its text (the caller parses dates), author text, petition fields when those selectors are set; url = the page url.
///
/// Decisions:
/// * `body_selector` is the only required selector: when it is configured
///   but matches nothing the page layout has changed (or the page is an
///   error page), so this returns [`HtmlError::Missing`] instead of
///   silently falling back. Without a `body_selector`, [`main_text`] is used.
/// * When the body selector matches several elements (e.g. `div.content p`),
///   their texts are joined, one per line, in page order.
/// * A `title_selector` that matches nothing (or only whitespace) falls back
///   to `<h1>` and then `<title>`; every other optional selector that
///   matches nothing leaves its field `None`.
/// * `published_at` / `replied_at`: the matched element's `datetime`
///   attribute, else that of a `<time datetime>` inside it, else its text
///   as written (e.g. `发布时间：2026-11-28 08:00`).
/// * Single-line fields (title, author, status, reply unit, times) have all
///   whitespace collapsed to single spaces; `text` and `reply` keep one
///   paragraph per line. Empty values become `None`.
/// * `id`, `source` and `kind` are left `None` for the caller to fill.
pub fn article_page(
    html: &str,
    url: &Url,
    selectors: &PageSelectors,
) -> Result<RawItem, HtmlError> {
    let doc = Html::parse_document(html);

    let text = match &selectors.body {
        Some(body) => {
            let parts: Vec<String> = doc
                .select(&body.selector)
                .map(|el| block_text(el, Prune::Off))
                .collect();
            if parts.is_empty() {
                return Err(HtmlError::Missing {
                    url: url.as_str().to_string(),
                    key: body.key,
                    selector: body.source.clone(),
                });
            }
            non_empty(join_lines(parts))
        }
        None => non_empty(main_text_of(&doc)),
    };

    let title = selectors
        .title
        .as_ref()
        .and_then(|t| t.first(&doc))
        .and_then(|el| non_empty(line_text(el)))
        .or_else(|| doc.select(&H1).find_map(|el| non_empty(line_text(el))))
        .or_else(|| doc.select(&TITLE).find_map(|el| non_empty(line_text(el))));

    let line_of = |c: &Option<Compiled>| {
        c.as_ref()
            .and_then(|c| c.first(&doc))
            .and_then(|el| non_empty(line_text(el)))
    };
    let time_of = |c: &Option<Compiled>| c.as_ref().and_then(|c| c.first(&doc)).and_then(time_text);

    Ok(RawItem {
        url: Some(url.as_str().to_string()),
        title,
        text,
        author: line_of(&selectors.author),
        published_at: time_of(&selectors.time),
        status: line_of(&selectors.status),
        reply: selectors.reply.as_ref().and_then(|r| {
            let parts: Vec<String> = doc
                .select(&r.selector)
                .map(|el| block_text(el, Prune::Off))
                .collect();
            non_empty(join_lines(parts))
        }),
        reply_unit: line_of(&selectors.reply_unit),
        replied_at: time_of(&selectors.replied_at),
        ..RawItem::default()
    })
}

/// A time element's machine-readable `datetime`, else its text.
fn time_text(el: ElementRef<'_>) -> Option<String> {
    el.attr("datetime")
        .or_else(|| {
            el.select(&TIME_DATETIME)
                .next()
                .and_then(|t| t.attr("datetime"))
        })
        .map(|s| s.trim().to_string())
        .and_then(non_empty)
        .or_else(|| non_empty(line_text(el)))
}

fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

fn join_lines(parts: Vec<String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

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

fn main_text_of(doc: &Html) -> String {
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
enum Prune {
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
fn block_text(el: ElementRef<'_>, prune: Prune) -> String {
    let mut lines = Lines::default();
    walk(el, prune, &mut lines);
    lines.finish().join("\n")
}

/// The text of `el` on a single line.
fn line_text(el: ElementRef<'_>) -> String {
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

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
