//! The index schema: which item fields are searchable, filterable, sortable
//! and stored. The index is derived from SQLite and can be rebuilt at will.

use super::tokenizer::TOKENIZER_NAME;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Item id (exact).
    pub id: Field,
    /// Title (jieba, positions; not stored).
    pub title: Field,
    /// Title as written (stored only: a field indexed from pre-tokenized
    /// text would store its tokens too).
    pub title_text: Field,
    /// Body (jieba, positions; not stored).
    pub body: Field,
    /// post / news / petition (exact, fast).
    pub kind: Field,
    /// Source name (exact, fast).
    pub source: Field,
    /// Complaint categories (exact, fast, multi-valued).
    pub category: Field,
    /// Police unit (exact, fast).
    pub unit: Field,
    /// Whether the item is a flagged complaint.
    pub flagged: Field,
    /// Severity 0–100.
    pub severity: Field,
    /// Publication time (UTC).
    pub published_at: Field,
    /// Link to the original.
    pub url: Field,
    /// Watched topics matched (exact, fast, multi-valued).
    pub topic: Field,
}

impl Fields {
    /// Builds the schema and its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let indexed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // The body is not stored: SQLite holds it and snippets are cut from
        // there (`TextSource`), which keeps the index smaller than the text.
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED),
            title: builder.add_text_field("title", indexed.clone()),
            title_text: builder.add_text_field("title_text", STORED),
            body: builder.add_text_field("body", indexed),
            kind: builder.add_text_field("kind", STRING | STORED | FAST),
            source: builder.add_text_field("source", STRING | STORED | FAST),
            category: builder.add_text_field("category", STRING | STORED | FAST),
            unit: builder.add_text_field("unit", STRING | STORED | FAST),
            flagged: builder.add_bool_field("flagged", INDEXED | STORED | FAST),
            severity: builder.add_u64_field("severity", INDEXED | STORED | FAST),
            published_at: builder.add_date_field("published_at", INDEXED | STORED | FAST),
            url: builder.add_text_field("url", STORED),
            topic: builder.add_text_field("topic", STRING | STORED | FAST),
        };
        (builder.build(), fields)
    }
}
