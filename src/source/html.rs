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

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::pipeline::RawItem;

#[path = "html_text.rs"]
mod text;

#[path = "html_meta.rs"]
mod meta;

#[path = "html_clean.rs"]
mod clean;

pub use meta::Found;

pub use text::{FORM_WRAPPER_CHARS, main_text};
use text::{Prune, block_text, line_text, main_text_of};

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
            return Err(invalid("it is empty".to_string()));
        }
        let selector =
            Selector::parse(source).map_err(|e| invalid(selector_error_reason(source, &e)))?;
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

/// Why `css` is not a valid selector, in plain words: scraper's own words
/// for some mistakes are "Unexpected error occurred. Please report this to
/// the developer ClassNeedsIdent". Only called once parsing has failed.
fn selector_error_reason(css: &str, error: &scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind as Kind;
    if let Some(marker) = marker_without_name(css) {
        let (what, example) = if marker == '.' {
            ("a class", "div.content")
        } else {
            ("an id", "div#main")
        };
        return format!(
            "`{marker}` must be followed by {what} name that starts with a letter, `_` or `-` \
             (e.g. `{example}`)"
        );
    }
    let reason = match error {
        Kind::EndOfLine => {
            "it ends too early: something is missing at the end (a name, `]` or `)`)"
        }
        Kind::UnexpectedToken => "it has a character CSS does not expect there",
        Kind::InvalidAtRule | Kind::InvalidAtRuleBody => "@-rules are not selectors",
        Kind::QualRuleInvalid => "a name in it is not valid",
        Kind::TooManyNestedBlocks => "it nests brackets too deeply",
        Kind::ExpectedColonOnPseudoElement => "a pseudo-element is written with `::`",
        Kind::ExpectedIdentityOnPseudoElement => "`::` must be followed by a pseudo-element name",
        Kind::UnexpectedSelectorParseError(kind) => match format!("{kind:?}").as_str() {
            "ClassNeedsIdent" => "`.` must be followed by a class name (e.g. `div.content`)",
            "EmptySelector" => {
                "a selector is missing: at the start, between commas or after a combinator"
            }
            "DanglingCombinator" => {
                "a combinator (`>`, `+`, `~` or a space) has no selector after it"
            }
            "UnsupportedPseudoClassOrElement" | "UnexpectedIdent" | "NoIdentForPseudo" => {
                "it uses a pseudo-class or pseudo-element that is not supported"
            }
            "ExpectedNamespace" | "ExplicitNamespaceUnexpectedToken" => {
                "namespaces (`ns|tag`) are not supported"
            }
            "NoQualifiedNameInAttributeSelector"
            | "UnexpectedTokenInAttributeSelector"
            | "ExpectedBarInAttr"
            | "BadValueInAttr"
            | "InvalidQualNameInAttr" => {
                "an attribute test is malformed (write e.g. `a[href]` or `div[class=\"news\"]`)"
            }
            _ => "the parser does not accept it",
        },
    };
    reason.to_string()
}

/// The first `.` or `#` (outside brackets and quotes) not followed by a
/// name: `a.`, `.1`, `#2`.
fn marker_without_name(css: &str) -> Option<char> {
    let mut chars = css.chars().peekable();
    let (mut bracket, mut quote) = (0usize, None::<char>);
    while let Some(c) = chars.next() {
        match (c, quote) {
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            ('"' | '\'', None) => quote = Some(c),
            ('[', None) => bracket += 1,
            (']', None) => bracket = bracket.saturating_sub(1),
            ('.' | '#', None) if bracket == 0 => {
                let starts_name = chars
                    .peek()
                    .is_some_and(|n| n.is_alphabetic() || matches!(n, '_' | '-' | '\\'));
                if !starts_name {
                    return Some(c);
                }
            }
            _ => {}
        }
    }
    None
}

/// Why `css` is not a valid CSS selector, or `None` when it is (an empty
/// selector is not).
pub fn selector_problem(css: &str) -> Option<String> {
    Compiled::new("selector", css)
        .err()
        .map(|error| match error {
            HtmlError::Selector { reason, .. } => reason,
            other => other.to_string(),
        })
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

    /// No selectors at all: article pages are read by the heuristics alone
    /// (`yuqing extract` without `--source`).
    pub fn heuristics_only() -> PageSelectors {
        PageSelectors::compile(&SelectorSpec {
            link: "a",
            ..SelectorSpec::default()
        })
        .expect("`a` is a valid selector")
    }
}

fn fixed(css: &str) -> Selector {
    // Only used with the literal selectors below, which are valid CSS.
    Selector::parse(css).expect("built-in selector is valid CSS")
}

static A_HREF: LazyLock<Selector> = LazyLock::new(|| fixed("a[href]"));
static BASE_HREF: LazyLock<Selector> = LazyLock::new(|| fixed("base[href]"));
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

/// One article page → a RawItem: title (title selector, else the headline heuristic of [`Article`]), body text (body selector's text with block elements as line breaks, else the main-content fallback below), published_at (time selector, else the publish-time heuristic), author text, petition fields when those selectors are set; url = the page url.
///
/// Decisions:
/// * `body_selector` is the only required selector: when it is configured
///   but matches nothing the page layout has changed (or the page is an
///   error page), so this returns [`HtmlError::Missing`] instead of
///   silently falling back. Without a `body_selector`, [`main_text`] is used.
/// * When the body selector matches several elements (e.g. `div.content p`),
///   their texts are joined, one per line, in page order.
/// * A `title_selector` that matches nothing (or only whitespace) falls back
///   to the headline heuristic; a `time_selector` or `author_selector` that
///   matches nothing leaves its field `None` (the selector says where the
///   field is; guessing elsewhere could pick a related article's date);
///   without those selectors the heuristics are used.
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
    article(html, url, selectors).map(|a| a.item)
}

/// An article page read by [`article`]: the item and, for each field, the
/// rule that found it (`None` when the field is empty).
#[derive(Debug, Clone, Default)]
pub struct Article {
    /// What the crawl hands to the pipeline.
    pub item: RawItem,
    /// Rule that found the title.
    pub title_rule: Option<&'static str>,
    /// Rule that found the publish time.
    pub published_rule: Option<&'static str>,
    /// Rule that found the author.
    pub author_rule: Option<&'static str>,
    /// Rule that found the body.
    pub text_rule: Option<&'static str>,
}

/// [`article_page`], saying which rule found each field (for `yuqing extract`).
pub fn article(html: &str, url: &Url, selectors: &PageSelectors) -> Result<Article, HtmlError> {
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
            non_empty(join_lines(parts)).map(|t| Found {
                value: t,
                rule: "body_selector",
            })
        }
        None => non_empty(main_text_of(&doc)).map(|t| Found {
            value: t,
            rule: "main-content heuristic",
        }),
    };

    let title = selectors
        .title
        .as_ref()
        .and_then(|t| t.first(&doc))
        .and_then(|el| non_empty(line_text(el)))
        .map(|t| Found {
            value: t,
            rule: "title_selector",
        })
        .or_else(|| meta::title(&doc));
    let headline = title.as_ref().map(|t| t.value.as_str());
    let text = match (text, headline) {
        (Some(found), Some(headline)) if selectors.body.is_none() => Some(Found {
            value: clean::drop_repeated_headline(found.value, headline),
            rule: found.rule,
        }),
        (text, _) => text,
    };

    let line_of = |c: &Option<Compiled>| {
        c.as_ref()
            .and_then(|c| c.first(&doc))
            .and_then(|el| non_empty(line_text(el)))
    };
    let time_of = |c: &Option<Compiled>| c.as_ref().and_then(|c| c.first(&doc)).and_then(time_text);
    let published = match &selectors.time {
        Some(_) => time_of(&selectors.time).map(|t| Found {
            value: t,
            rule: "time_selector",
        }),
        None => meta::published(&doc, headline),
    };
    let author = match &selectors.author {
        Some(_) => line_of(&selectors.author).map(|a| Found {
            value: a,
            rule: "author_selector",
        }),
        None => meta::author(&doc, headline),
    };
    let rule = |f: &Option<Found>| f.as_ref().map(|f| f.rule);
    let (title_rule, published_rule, author_rule, text_rule) =
        (rule(&title), rule(&published), rule(&author), rule(&text));
    let value = |f: Option<Found>| f.map(|f| f.value);

    let item = RawItem {
        url: Some(url.as_str().to_string()),
        title: value(title),
        text: value(text),
        author: value(author),
        published_at: value(published),
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
    };
    Ok(Article {
        item,
        title_rule,
        published_rule,
        author_rule,
        text_rule,
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

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "html_body_tests.rs"]
mod body_tests;
