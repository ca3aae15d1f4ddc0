//! The index document of an item. Built as field values owned by the
//! document rather than as tantivy's `TantivyDocument`, which serialises a
//! pre-tokenized text to JSON when it is added and parses it back in the
//! indexing thread (a quarter of the indexing time when the analysis's
//! tokens were handed over that way). The analysis's tokens travel as one
//! packed text per field ([`crate::text::packed`]) that the index's
//! tokenizer reads back.

use super::Fields;
use crate::model::{Analysis, Item};
use crate::text::segment::{DocTokens, IndexToken};
use tantivy::schema::{Field, OwnedValue};
use tantivy::tokenizer::Token;

/// Field values of one document, in the order added.
#[derive(Debug, Clone, Default)]
pub struct ItemDocument {
    values: Vec<(Field, OwnedValue)>,
}

impl ItemDocument {
    fn add(&mut self, field: Field, value: impl Into<OwnedValue>) {
        self.values.push((field, value.into()));
    }

    /// The document of `item`: its title and body from `tokens` when
    /// given, else through the index's tokenizer.
    pub fn new(
        fields: &Fields,
        item: &Item,
        analysis: &Analysis,
        tokens: Option<DocTokens>,
    ) -> ItemDocument {
        let f = fields;
        let mut doc = ItemDocument {
            values: Vec::with_capacity(12),
        };
        doc.add(f.id, item.id.as_str());
        doc.add(f.title_text, item.title.as_str());
        match tokens {
            // The analysis's own tokens (the same the tokenizer would give):
            // the texts are not segmented a second time.
            Some(tokens) => {
                doc.add(f.title, tokens.title.into_text());
                doc.add(f.body, tokens.body.into_text());
            }
            None => {
                doc.add(f.title, item.title.as_str());
                doc.add(f.body, item.body.as_str());
            }
        }
        doc.add(f.kind, item.kind.as_str());
        doc.add(f.source, item.source.as_str());
        for category in &analysis.categories {
            doc.add(f.category, category.as_str());
        }
        if let Some(unit) = &item.unit {
            doc.add(f.unit, unit.as_str());
        }
        doc.add(f.flagged, analysis.flagged);
        doc.add(f.severity, u64::from(analysis.severity));
        doc.add(
            f.published_at,
            tantivy::DateTime::from_timestamp_micros(item.published_at.timestamp_micros()),
        );
        if let Some(url) = &item.url {
            doc.add(f.url, url.as_str());
        }
        for topic in &analysis.topics {
            doc.add(f.topic, topic.as_str());
        }
        doc
    }
}

fn field_value(pair: &(Field, OwnedValue)) -> (Field, &OwnedValue) {
    (pair.0, &pair.1)
}

impl tantivy::Document for ItemDocument {
    type Value<'a> = &'a OwnedValue;
    type FieldsValuesIter<'a> = std::iter::Map<
        std::slice::Iter<'a, (Field, OwnedValue)>,
        fn(&'a (Field, OwnedValue)) -> (Field, &'a OwnedValue),
    >;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.values.iter().map(field_value)
    }
}

/// An index token as tantivy's `Token`.
pub fn tantivy_token(token: IndexToken) -> Token {
    Token {
        offset_from: token.byte_start,
        offset_to: token.byte_end,
        position: token.position,
        text: token.text,
        position_length: 1,
    }
}
