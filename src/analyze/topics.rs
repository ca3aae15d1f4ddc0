//! Watched topics (舆情方案): named subjects with a query in the search
//! syntax (`城关派出所 OR (城关 AND 民警)`). Every new item is matched
//! against every topic when it is stored — percolation: the queries are
//! compiled once and run against the item's own words, not as searches
//! over the index — and tagged with the topics it matches, so that topics
//! get their own counts and trends and `topic:NAME` works in search.
//!
//! Matching follows the search engine's semantics: a word that segments
//! into several words is a phrase (the words at consecutive positions of
//! the search-mode token stream, where a word's sub-words share its
//! position), `title:`/`body:` restrict the field, filters compare the
//! item's kind, source, unit, categories and flag.

use crate::index::query::{Expr, Problem, QueryError, parse};
use crate::model::{Analysis, Item, ItemKind};
use crate::text::Segmenter;
use crate::text::packed::PackedTokens;
use crate::text::segment::DocTokens;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

/// One `[[topics]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicConfig {
    /// The topic's name, as shown and as searched (`topic:NAME`).
    pub name: String,
    /// The query, in the search syntax.
    pub query: String,
}

/// The compiled topics; cheap to share.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    topics: Vec<(String, Matcher)>,
}

#[derive(Debug, Clone)]
enum Matcher {
    All,
    Words {
        words: Vec<String>,
        field: Option<Field>,
    },
    Kind(ItemKind),
    Source(String),
    Unit(String),
    Category(String),
    Flagged(bool),
    Not(Box<Matcher>),
    And(Vec<Matcher>),
    Or(Vec<Matcher>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Body,
}

/// Where a text's words are: word → positions, per field.
struct Positions<'a> {
    title: HashMap<&'a str, Vec<u32>>,
    body: HashMap<&'a str, Vec<u32>>,
}

impl Topics {
    /// Compiles `configs`; an error names the topic (by index) and the
    /// query column at fault.
    pub fn compile(
        configs: &[TopicConfig],
        segmenter: &Segmenter,
    ) -> Result<Topics, (usize, QueryError)> {
        let mut topics = Vec::with_capacity(configs.len());
        for (index, config) in configs.iter().enumerate() {
            let expr = parse(&config.query).map_err(|e| (index, e))?;
            let matcher = compile(&expr, segmenter).map_err(|e| (index, e))?;
            topics.push((config.name.clone(), matcher));
        }
        Ok(Topics { topics })
    }

    /// True when no topic is configured.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// The names of the topics `item` (with its analysis and the index
    /// tokens of its title and body) matches, in configuration order.
    pub fn matching(&self, tokens: &DocTokens, item: &Item, analysis: &Analysis) -> Vec<String> {
        if self.topics.is_empty() {
            return Vec::new();
        }
        let positions = Positions {
            title: positions(&tokens.title),
            body: positions(&tokens.body),
        };
        self.topics
            .iter()
            .filter(|(_, matcher)| matcher.matches(&positions, item, analysis))
            .map(|(name, _)| name.clone())
            .collect()
    }
}

fn positions(tokens: &PackedTokens) -> HashMap<&str, Vec<u32>> {
    let mut map: HashMap<&str, Vec<u32>> = HashMap::default();
    for (position, word) in tokens.iter() {
        map.entry(word).or_default().push(position as u32);
    }
    map
}

fn compile(expr: &Expr, segmenter: &Segmenter) -> Result<Matcher, QueryError> {
    Ok(match expr {
        Expr::All => Matcher::All,
        Expr::Word {
            text,
            field,
            column,
        }
        | Expr::Phrase {
            text,
            field,
            column,
        } => {
            let words = segmenter.query_words(text);
            if words.is_empty() {
                return Err(QueryError::new(
                    *column,
                    Problem::NoSearchableText(text.clone()),
                ));
            }
            let field = match field.as_deref() {
                Some("title") => Some(Field::Title),
                Some("body") => Some(Field::Body),
                _ => None,
            };
            Matcher::Words { words, field }
        }
        Expr::Filter {
            field,
            value,
            column,
        } => match field.as_str() {
            "kind" => Matcher::Kind(
                value
                    .parse()
                    .map_err(|_| QueryError::new(*column, Problem::UnknownKind(value.clone())))?,
            ),
            "source" => Matcher::Source(value.clone()),
            "unit" => Matcher::Unit(value.clone()),
            "category" => {
                if !crate::model::CATEGORIES.contains(&value.as_str()) {
                    return Err(QueryError::new(
                        *column,
                        Problem::UnknownCategory(value.clone()),
                    ));
                }
                Matcher::Category(value.clone())
            }
            "flagged" => Matcher::Flagged(matches!(
                value.to_ascii_lowercase().as_str(),
                "true" | "yes" | "1"
            )),
            other => {
                return Err(QueryError::new(
                    *column,
                    Problem::NotInTopic(other.to_string()),
                ));
            }
        },
        Expr::Not(inner) => Matcher::Not(Box::new(compile(inner, segmenter)?)),
        Expr::And(parts) => Matcher::And(
            parts
                .iter()
                .map(|p| compile(p, segmenter))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(parts) => Matcher::Or(
            parts
                .iter()
                .map(|p| compile(p, segmenter))
                .collect::<Result<_, _>>()?,
        ),
    })
}

impl Matcher {
    fn matches(&self, positions: &Positions<'_>, item: &Item, analysis: &Analysis) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Words { words, field } => match field {
                Some(Field::Title) => in_text(&positions.title, words),
                Some(Field::Body) => in_text(&positions.body, words),
                None => in_text(&positions.title, words) || in_text(&positions.body, words),
            },
            Matcher::Kind(kind) => item.kind == *kind,
            Matcher::Source(source) => item.source == *source,
            Matcher::Unit(unit) => {
                item.unit.as_deref() == Some(unit.as_str()) || analysis.units.contains(unit)
            }
            Matcher::Category(category) => analysis.categories.contains(category),
            Matcher::Flagged(flagged) => analysis.flagged == *flagged,
            Matcher::Not(inner) => !inner.matches(positions, item, analysis),
            Matcher::And(parts) => parts.iter().all(|p| p.matches(positions, item, analysis)),
            Matcher::Or(parts) => parts.iter().any(|p| p.matches(positions, item, analysis)),
        }
    }
}

/// One word present, or the words at consecutive positions.
fn in_text(map: &HashMap<&str, Vec<u32>>, words: &[String]) -> bool {
    let Some(first) = map.get(words[0].as_str()) else {
        return false;
    };
    if words.len() == 1 {
        return true;
    }
    let rest: Vec<HashSet<u32>> = match words[1..]
        .iter()
        .map(|w| map.get(w.as_str()).map(|p| p.iter().copied().collect()))
        .collect::<Option<Vec<_>>>()
    {
        Some(rest) => rest,
        None => return false,
    };
    first.iter().any(|&start| {
        rest.iter()
            .enumerate()
            .all(|(i, at)| at.contains(&(start + i as u32 + 1)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, body: &str) -> Item {
        let now = chrono::Utc::now();
        Item {
            id: "t".into(),
            source: "test".into(),
            kind: ItemKind::Post,
            url: None,
            title: title.into(),
            body: body.into(),
            author: None,
            published_at: now,
            fetched_at: now,
            unit: None,
            region: None,
            petition: Default::default(),
            content_hash: String::new(),
        }
    }

    fn matching(t: &Topics, seg: &Segmenter, item: &Item, analysis: &Analysis) -> Vec<String> {
        t.matching(&DocTokens::of(seg, &item.title, &item.body), item, analysis)
    }

    fn topics(queries: &[(&str, &str)]) -> Topics {
        let configs: Vec<TopicConfig> = queries
            .iter()
            .map(|(name, query)| TopicConfig {
                name: name.to_string(),
                query: query.to_string(),
            })
            .collect();
        Topics::compile(&configs, &Segmenter::embedded()).unwrap()
    }

    #[test]
    fn queries_match_like_searches() {
        let t = topics(&[
            ("城关", "城关派出所 OR (城关 AND 民警)"),
            ("出警", "\"没人出警\" -表扬"),
            ("标题", "title:户籍"),
            ("投诉", "flagged:true category:inaction"),
        ]);
        let seg = Segmenter::embedded();
        let plain = Analysis::default();
        let a = item("夜里报警", "打了三次110，城关派出所一直没人出警。");
        assert_eq!(matching(&t, &seg, &a, &plain), ["城关", "出警"]);
        let b = item(
            "户籍窗口",
            "城关这边的民警态度还行，值得表扬，就是没人出警的说法不对。",
        );
        assert_eq!(matching(&t, &seg, &b, &plain), ["城关", "标题"]);
        let c = item("东湖", "东湖路今天很堵。");
        assert!(matching(&t, &seg, &c, &plain).is_empty());
        let flagged = Analysis {
            flagged: true,
            categories: vec!["inaction".into()],
            ..Analysis::default()
        };
        assert!(matching(&t, &seg, &c, &flagged).contains(&"投诉".to_string()));
    }

    #[test]
    fn a_bad_topic_query_names_the_topic_and_column() {
        let configs = vec![
            TopicConfig {
                name: "好".into(),
                query: "民警".into(),
            },
            TopicConfig {
                name: "坏".into(),
                query: "(民警".into(),
            },
        ];
        let (index, error) = Topics::compile(&configs, &Segmenter::embedded()).unwrap_err();
        assert_eq!(index, 1);
        assert!(error.column >= 1, "{error}");
    }
}
