//! Running searches: the parsed query becomes a tantivy query (words are
//! segmented with the same jieba as the index; several words make a phrase),
//! filters and the date range are added, hits get highlighted snippets, and
//! facet counts come from tantivy's terms aggregation.

use super::query::{self, Expr, Problem, QueryError};
use super::snippet::Highlighter;
use super::{IndexContext, IndexError, SearchIndex};
use crate::model::ItemKind;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

pub use crate::model::CATEGORIES;

/// Characters of body text shown in a snippet.
pub const SNIPPET_CHARS: usize = 80;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 1000;
/// Facet values reported per facet.
const FACET_SIZE: u32 = 50;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Time,
}

/// A search: the query string plus filters given outside it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Query in the search syntax.
    pub query: String,
    /// Only this kind.
    pub kind: Option<ItemKind>,
    /// Only this source.
    pub source: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only flagged (or only unflagged) items.
    pub flagged: Option<bool>,
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
    /// Result order.
    pub sort: SortOrder,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Compute facet counts.
    pub facets: bool,
    /// Snippets centred on the matches, with highlights (else the body's
    /// beginning: cheaper, for lists that only show titles).
    pub highlight: bool,
}

impl SearchRequest {
    /// A request for `query` with defaults: 10 hits by relevance, no filters.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            kind: None,
            source: None,
            category: None,
            flagged: None,
            from: None,
            to: None,
            sort: SortOrder::Relevance,
            limit: 10,
            offset: 0,
            facets: false,
            highlight: true,
        }
    }
}

/// One hit, as `search --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Item id.
    pub id: String,
    /// Relevance score (0 when sorted by time).
    pub score: f32,
    /// Title.
    pub title: String,
    /// Link to the original.
    pub url: Option<String>,
    /// post / news / petition.
    pub kind: String,
    /// Source name.
    pub source: String,
    /// RFC 3339, UTC.
    pub published_at: String,
    /// Flagged as a complaint.
    pub flagged: bool,
    /// Complaint categories.
    pub categories: Vec<String>,
    /// Body snippet.
    pub snippet: String,
    /// Character ranges of matched terms in `snippet`.
    pub highlights: Vec<[usize; 2]>,
}

/// Facet counts: field → value → documents.
pub type Facets = BTreeMap<String, BTreeMap<String, u64>>;

/// What a search returns (the `search --json` contract).
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Matching documents in all.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Counts by kind, source and category (empty unless asked for).
    pub facets: Facets,
}

impl SearchIndex {
    /// Runs `request` against the last committed state of the index.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        let expr = query::parse(&request.query)?;
        let mut terms = HashSet::new();
        let main = self.compile(&expr, false, &mut terms)?;
        let query = self.with_filters(main, request)?;
        let searcher = self.reader.searcher();
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let top = TopDocs::with_limit(limit).and_offset(request.offset);
        let (total, addresses): (usize, Vec<(f32, DocAddress)>) = match request.sort {
            SortOrder::Relevance => searcher
                .search(&query, &(Count, top.order_by_score()))
                .during("searching")?,
            SortOrder::Time => {
                let (total, docs) = searcher
                    .search(
                        &query,
                        &(
                            Count,
                            top.order_by_fast_field::<tantivy::DateTime>(
                                "published_at",
                                Order::Desc,
                            ),
                        ),
                    )
                    .during("searching")?;
                (
                    total,
                    docs.into_iter()
                        .map(|(_, address)| (0.0, address))
                        .collect(),
                )
            }
        };
        let docs = addresses
            .into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).during("reading a hit")?;
                Ok((score, doc))
            })
            .collect::<Result<Vec<_>, IndexError>>()?;
        let bodies = match &self.texts {
            Some(texts) => {
                let ids: Vec<&str> = docs
                    .iter()
                    .filter_map(|(_, doc)| doc.get_first(self.fields.id).and_then(|v| v.as_str()))
                    .collect();
                // Without highlights a snippet is the body's beginning.
                texts.bodies(&ids, (!request.highlight).then_some(SNIPPET_CHARS + 1))
            }
            None => HashMap::new(),
        };
        let highlighter = Highlighter::new(if request.highlight {
            terms
        } else {
            HashSet::new()
        });
        let hits = docs
            .into_iter()
            .map(|(score, doc)| self.hit(score, &doc, &bodies, &highlighter))
            .collect();
        let facets = if request.facets {
            self.facets(&searcher, &query)?
        } else {
            Facets::new()
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn hit(
        &self,
        score: f32,
        doc: &TantivyDocument,
        bodies: &HashMap<String, String>,
        highlighter: &Highlighter,
    ) -> Hit {
        let f = &self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let id = text(f.id);
        let body = bodies.get(&id).map_or("", String::as_str);
        let snippet = highlighter.snippet(&self.segmenter, body, SNIPPET_CHARS);
        let published_at = doc
            .get_first(f.published_at)
            .and_then(|v| v.as_datetime())
            .and_then(|t| DateTime::<Utc>::from_timestamp_micros(t.into_timestamp_micros()))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        Hit {
            id,
            score,
            title: text(f.title_text),
            url: doc
                .get_first(f.url)
                .and_then(|v| v.as_str())
                .map(str::to_string),
            kind: text(f.kind),
            source: text(f.source),
            published_at,
            flagged: doc
                .get_first(f.flagged)
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            categories: doc
                .get_all(f.category)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            snippet: snippet.text,
            highlights: snippet.highlights,
        }
    }

    fn facets(&self, searcher: &Searcher, query: &dyn Query) -> Result<Facets, IndexError> {
        let names = ["kind", "source", "category", "unit", "topic"];
        let request: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .map(|name| {
                (
                    name.to_string(),
                    serde_json::json!({ "terms": { "field": name, "size": FACET_SIZE } }),
                )
            })
            .collect();
        let aggregations: Aggregations = serde_json::from_value(serde_json::Value::Object(request))
            .expect("valid aggregation request");
        let collector = AggregationCollector::from_aggs(aggregations, AggContextParams::default());
        let results = searcher
            .search(query, &collector)
            .during("counting facets")?;
        let json = serde_json::to_value(results).expect("aggregation results serialise");
        let mut facets = Facets::new();
        for name in names {
            let counts = facets.entry(name.to_string()).or_default();
            let buckets = json[name]["buckets"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for bucket in buckets {
                if let (Some(key), Some(count)) =
                    (bucket["key"].as_str(), bucket["doc_count"].as_u64())
                {
                    counts.insert(key.to_string(), count);
                }
            }
        }
        Ok(facets)
    }

    fn with_filters(
        &self,
        main: Box<dyn Query>,
        request: &SearchRequest,
    ) -> Result<Box<dyn Query>, IndexError> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(kind) = request.kind {
            clauses.push((Occur::Must, exact(f.kind, kind.as_str())));
        }
        if let Some(source) = &request.source {
            clauses.push((Occur::Must, exact(f.source, source)));
        }
        if let Some(category) = &request.category {
            check_category(category, 0)?;
            clauses.push((Occur::Must, exact(f.category, category)));
        }
        if let Some(flagged) = request.flagged {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_bool(f.flagged, flagged),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if request.from.is_some() || request.to.is_some() {
            let bound = |t: Option<DateTime<Utc>>, inclusive: bool| match t {
                None => Bound::Unbounded,
                Some(t) => {
                    let term = Term::from_field_date_for_search(
                        f.published_at,
                        tantivy::DateTime::from_timestamp_micros(t.timestamp_micros()),
                    );
                    if inclusive {
                        Bound::Included(term)
                    } else {
                        Bound::Excluded(term)
                    }
                }
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(request.from, true),
                    bound(request.to, false),
                )),
            ));
        }
        Ok(if clauses.len() == 1 {
            clauses.pop().expect("one clause").1
        } else {
            Box::new(BooleanQuery::new(clauses))
        })
    }

    /// Turns a parsed expression into a tantivy query, collecting the
    /// positive words (for highlighting) into `terms`.
    fn compile(
        &self,
        expr: &Expr,
        negated: bool,
        terms: &mut HashSet<String>,
    ) -> Result<Box<dyn Query>, QueryError> {
        let f = &self.fields;
        Ok(match expr {
            Expr::All => Box::new(AllQuery),
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
                let words = self.segmenter.query_words(text);
                if words.is_empty() {
                    return Err(QueryError::new(
                        *column,
                        Problem::NoSearchableText(text.clone()),
                    ));
                }
                if !negated {
                    terms.extend(words.iter().cloned());
                }
                let fields = match field.as_deref() {
                    Some("title") => vec![f.title],
                    Some("body") => vec![f.body],
                    _ => vec![f.title, f.body],
                };
                let per_field: Vec<(Occur, Box<dyn Query>)> = fields
                    .into_iter()
                    .map(|field| (Occur::Should, words_query(field, &words)))
                    .collect();
                Box::new(BooleanQuery::new(per_field))
            }
            Expr::Filter {
                field,
                value,
                column,
            } => self.filter(field, value, *column)?,
            Expr::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                (Occur::MustNot, self.compile(inner, !negated, terms)?),
            ])),
            Expr::And(parts) => {
                let mut clauses = Vec::with_capacity(parts.len());
                for part in parts {
                    match part {
                        Expr::Not(inner) => {
                            clauses.push((Occur::MustNot, self.compile(inner, !negated, terms)?))
                        }
                        other => clauses.push((Occur::Must, self.compile(other, negated, terms)?)),
                    }
                }
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Expr::Or(parts) => {
                let mut clauses = Vec::with_capacity(parts.len());
                for part in parts {
                    clauses.push((Occur::Should, self.compile(part, negated, terms)?));
                }
                Box::new(BooleanQuery::new(clauses))
            }
        })
    }

    fn filter(
        &self,
        field: &str,
        value: &str,
        column: usize,
    ) -> Result<Box<dyn Query>, QueryError> {
        let f = &self.fields;
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        Ok(match field {
            "kind" => {
                let kind: ItemKind = value.parse().map_err(|_| {
                    QueryError::new(column, Problem::UnknownKind(value.to_string()))
                })?;
                exact(f.kind, kind.as_str())
            }
            "source" => exact(f.source, value),
            "unit" => exact(f.unit, value),
            "topic" => exact(f.topic, value),
            "category" => {
                check_category(value, column)?;
                exact(f.category, value)
            }
            "flagged" => {
                let flagged = match value.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => {
                        return Err(QueryError::new(
                            column,
                            Problem::BadFlagged(value.to_string()),
                        ));
                    }
                };
                Box::new(TermQuery::new(
                    Term::from_field_bool(f.flagged, flagged),
                    IndexRecordOption::Basic,
                ))
            }
            other => unreachable!("parser only produces known filter fields, got {other}"),
        })
    }
}

fn check_category(value: &str, column: usize) -> Result<(), QueryError> {
    if CATEGORIES.contains(&value) {
        Ok(())
    } else {
        Err(QueryError::new(
            column,
            Problem::UnknownCategory(value.to_string()),
        ))
    }
}

/// One word → a term query; several → a phrase query of consecutive words.
fn words_query(field: Field, words: &[String]) -> Box<dyn Query> {
    if words.len() == 1 {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, &words[0]),
            IndexRecordOption::WithFreqs,
        ));
    }
    let terms = words
        .iter()
        .map(|w| Term::from_field_text(field, w))
        .collect();
    Box::new(PhraseQuery::new(terms))
}
