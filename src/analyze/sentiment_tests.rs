//! Tests of `sentiment`: golden cases and properties.
use super::*;
use jieba_rs::Jieba;
use std::sync::LazyLock;

/// Jieba with only its default dictionary.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);
/// Jieba with the lexicon's words added, as the caller is expected to do.
static JIEBA_WITH_LEXICON: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in SentimentLexicon::embedded().words() {
        jieba.add_word(word, None, None);
    }
    jieba
});

fn segment<'a>(jieba: &Jieba, text: &'a str) -> Vec<&'a str> {
    jieba.cut(text, true).into_iter().map(|t| t.word).collect()
}

fn score_with(jieba: &Jieba, text: &str) -> f32 {
    score(SentimentLexicon::embedded(), &segment(jieba, text))
}

fn score_text(text: &str) -> f32 {
    score_with(&JIEBA, text)
}

fn score_tokens(tokens: &[&str]) -> f32 {
    score(SentimentLexicon::embedded(), tokens)
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    Positive,
    Negative,
    NonNegative,
    Zero,
}

/// One text per phenomenon, scored with both segmenters.
const GOLDEN: &[(&str, &str, Expect)] = &[
    ("plain_praise", "感谢民警耐心帮助", Expect::Positive),
    ("plain_complaint", "民警态度恶劣", Expect::Negative),
    ("negated_good", "民警态度不好", Expect::Negative),
    ("negated_satisfied", "我并不满意", Expect::Negative),
    ("negated_shirking", "这次没有推诿", Expect::NonNegative),
    (
        "never_seen_so_bad",
        "从来没有见过这么差的态度",
        Expect::Negative,
    ),
    (
        "lexicon_inaction",
        "派出所不作为，报警也没人管",
        Expect::Negative,
    ),
    (
        "lexicon_impatient",
        "窗口工作人员很不耐烦",
        Expect::Negative,
    ),
    ("degree_compound", "办事效率太低了", Expect::Negative),
    ("compound_praise", "民警同志太棒了", Expect::Positive),
    (
        "but_clause_dominates",
        "虽然排队很久，但是民警很耐心",
        Expect::Positive,
    ),
    (
        "but_clause_dominates_negative",
        "民警很耐心，但是办事效率太低",
        Expect::Negative,
    ),
    (
        "unexpected_turn",
        "本以为会被敷衍，没想到民警很热情",
        Expect::Positive,
    ),
    ("softened_negation", "我不太满意", Expect::Negative),
    ("double_negation", "不是不满意", Expect::Positive),
    ("emoji_praise", "为民警点赞👍", Expect::Positive),
    ("violence", "民警殴打群众还辱骂老人", Expect::Negative),
    ("neutral", "我今天去派出所办理身份证", Expect::Zero),
    ("polite_ok", "好的，我知道了", Expect::Zero),
    ("empty", "", Expect::Zero),
];

fn check(name: &str, segmenter: &str, value: f32, expect: Expect) {
    let ok = match expect {
        Expect::Positive => value > 0.0,
        Expect::Negative => value < 0.0,
        Expect::NonNegative => value >= 0.0,
        Expect::Zero => value == 0.0,
    };
    assert!(ok, "{name} ({segmenter}): expected {expect:?}, got {value}");
    assert!(
        (-1.0..=1.0).contains(&value),
        "{name}: {value} out of range"
    );
}

#[test]
fn golden_cases_default_jieba() {
    for &(name, text, expect) in GOLDEN {
        check(name, "default jieba", score_text(text), expect);
    }
}

#[test]
fn golden_cases_jieba_with_lexicon_words() {
    for &(name, text, expect) in GOLDEN {
        check(
            name,
            "jieba + lexicon",
            score_with(&JIEBA_WITH_LEXICON, text),
            expect,
        );
    }
}

/// (name, text scoring higher, text scoring lower).
const ORDERED: &[(&str, &str, &str)] = &[
    ("degree_amplifies_praise", "非常满意", "满意"),
    ("degree_amplifies_complaint", "满意", "非常不满意"),
    ("softened_negation_is_weaker", "不太满意", "不满意"),
    ("negated_complaint_is_mild", "满意", "没有推诿"),
    ("weak_degree_softens", "有点慢", "太慢"),
    (
        "exclamation_amplifies_complaint",
        "民警态度恶劣。",
        "民警态度恶劣！",
    ),
    (
        "exclamation_amplifies_praise",
        "民警很热情！",
        "民警很热情。",
    ),
    (
        "but_weakens_clause_before",
        "服务很好",
        "服务很好，但是等了很久",
    ),
    (
        "more_praise_scores_higher",
        "民警热情周到，耐心细致，非常满意",
        "民警热情",
    ),
];

#[test]
fn ordered_pairs() {
    for &(name, higher, lower) in ORDERED {
        for (segmenter, jieba) in [("default", &*JIEBA), ("with lexicon", &*JIEBA_WITH_LEXICON)] {
            let (h, l) = (score_with(jieba, higher), score_with(jieba, lower));
            assert!(
                h > l,
                "{name} ({segmenter}): {higher:?}={h} !> {lower:?}={l}"
            );
        }
    }
}

#[test]
fn softened_negation_stays_negative() {
    let soft = score_text("不太满意");
    let full = score_text("不满意");
    assert!(soft < 0.0 && full < soft, "不太满意={soft}, 不满意={full}");
    // Same result whether jieba keeps 不太 / 不太满意 whole or not.
    assert_eq!(score_tokens(&["不", "太", "满意"]), soft);
    assert_eq!(score_tokens(&["不太满意"]), soft);
    assert_eq!(score_tokens(&["不是", "很", "满意"]), soft);
    assert_eq!(score_tokens(&["不满意"]), full);
}

/// (name, tokens, expected score before squashing).
const TOKEN_CASES: &[(&str, &[&str], f32)] = &[
    ("whole_token_negation", &["不满意"], -1.6),
    ("lexicon_word_not_decomposed", &["不耐烦"], -2.0),
    ("lexicon_word_not_decomposed_pos", &["不错"], 2.0),
    ("degree_prefix_in_token", &["很差"], -2.8),
    ("particle_suffix", &["太棒了"], 3.2),
    ("particle_after_lexicon_word", &["不错的"], 2.0),
    ("backtracking_prefix", &["太过分了"], -3.2),
    ("lone_char_with_particle_is_neutral", &["好的"], 0.0),
    (
        "lone_char_then_particle_token_is_neutral",
        &["好", "的", "，", "谢谢"],
        2.0,
    ),
    (
        "modified_char_then_particle_counts",
        &["不", "好", "的"],
        -0.8,
    ),
    ("lone_char_without_particle_counts", &["态度", "好"], 1.0),
    (
        "modifier_only_token_without_negator",
        &["太太", "满意"],
        2.0,
    ),
    ("merge_split_word", &["不", "作为"], -3.0),
    ("merge_three_tokens", &["门难进", "脸难看", "事难办"], -3.0),
    (
        "merge_five_tokens",
        &["门", "难进", "脸难看", "事", "难办"],
        -3.0,
    ),
    ("merge_four_tokens", &["只", "接警", "不", "处警"], -3.0),
    ("negator_inside_window", &["一点", "也", "不", "满意"], -1.6),
    (
        "negator_before_verb_and_degree",
        &["没有", "见过", "这么", "差"],
        -2.6,
    ),
    ("negator_before_degree", &["没有", "那么", "差"], 0.6),
    (
        "negator_outside_window",
        &["不", "去", "那里", "办", "满意"],
        2.0,
    ),
    ("comma_ends_clause", &["不", "，", "满意"], 2.0),
    ("quotes_do_not_split", &["不", "“", "满意", "”"], -1.6),
    ("space_ends_clause", &["不", " ", "满意"], 2.0),
    (
        "previous_sentiment_word_stops_window",
        &["不", "满意", "耐心"],
        0.4,
    ),
    ("degree_before_negator", &["非常", "不", "满意"], -2.88),
    ("negated_negative", &["没有", "推诿"], 1.0),
    ("but_in_sentence", &["满意", "，", "但是", "失望"], -2.0),
    (
        "but_scope_ends_at_sentence",
        &["满意", "，", "但是", "失望", "。", "满意"],
        0.0,
    ),
    ("exclamation", &["满意", "！"], 2.4),
    ("double_exclamation_once", &["满意", "！", "！"], 2.4),
    ("unknown_token", &["派出所"], 0.0),
];

#[test]
fn token_level_cases() {
    for &(name, tokens, raw) in TOKEN_CASES {
        let expected = raw / (raw.abs() + SQUASH_K);
        let got = score_tokens(tokens);
        assert!(
            (got - expected).abs() < 1e-5,
            "{name}: {tokens:?} scored {got}, expected {expected} (raw {raw})"
        );
    }
}

#[test]
fn neutral_and_empty_are_zero() {
    assert_eq!(score_tokens(&[]), 0.0);
    assert_eq!(score_text(""), 0.0);
    assert_eq!(score_text("   \n"), 0.0);
    assert_eq!(
        score_text("2024年5月3日，我到城东派出所办理户口迁移。"),
        0.0
    );
    let empty = SentimentLexicon::parse("# nothing\n").unwrap();
    assert!(empty.is_empty());
    assert_eq!(score(&empty, &segment(&JIEBA, "非常满意")), 0.0);
}

#[test]
fn score_within_bounds_on_long_mixed_text() {
    let mixed = "感谢民警耐心帮助！但是派出所推诿扯皮，态度恶劣，非常非常愤怒！！！\
                 虽然排队很久，但是民警很耐心。不太满意。极其恶劣、暴力执法、刑讯逼供！\
                 “点赞”👍👍 好样的…… 不是不满意\n";
    for repeat in [1, 10, 300] {
        let text = mixed.repeat(repeat);
        for jieba in [&*JIEBA, &*JIEBA_WITH_LEXICON] {
            let value = score_with(jieba, &text);
            assert!((-1.0..=1.0).contains(&value), "{repeat}: {value}");
        }
    }
    let angry = "非常非常愤怒！".repeat(2000);
    let value = score_text(&angry);
    assert!((-1.0..-0.99).contains(&value), "{value}");
    let happy = "十分满意！".repeat(2000);
    let value = score_text(&happy);
    assert!((0.99..=1.0).contains(&value), "{value}");
}

#[test]
fn parses_all_types() {
    let text = "# comment\n\n满意 pos 2\n不满 neg 3\n不 not 0\n很 degree 1.4\n但是 but 1.5\n";
    let lexicon = SentimentLexicon::parse(text).unwrap();
    assert_eq!(lexicon.len(), 2);
    assert!(!lexicon.is_empty());
    assert_eq!(lexicon.words().collect::<Vec<_>>(), ["满意", "不满"]);
    assert_eq!(lexicon.classes["满意"], Class::Sentiment(2.0));
    assert_eq!(lexicon.classes["不满"], Class::Sentiment(-3.0));
    assert_eq!(lexicon.classes["不"], Class::Negator);
    assert_eq!(lexicon.classes["很"], Class::Degree(1.4));
    assert_eq!(lexicon.classes["但是"], Class::But(1.5));
    // CRLF line endings are accepted.
    assert_eq!(
        SentimentLexicon::parse("好 pos 1\r\n坏 neg 1\r\n")
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn parser_rejects_bad_lines_with_line_number() {
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "unknown_type",
            "# h\n满意 pos 2\n差 bad 2\n",
            3,
            "unknown type \"bad\"",
        ),
        ("weight_too_high", "满意 pos 4\n", 1, "integer 1..3"),
        ("weight_zero", "\n满意 neg 0\n", 2, "integer 1..3"),
        (
            "weight_decimal_for_pos",
            "满意 pos 1.5\n",
            1,
            "integer 1..3",
        ),
        ("negator_weight", "不 not 1\n", 1, "negator must be 0"),
        ("degree_zero", "很 degree 0\n", 1, "above 0"),
        (
            "degree_not_a_number",
            "很 degree much\n",
            1,
            "decimal multiplier",
        ),
        ("but_negative", "但是 but -1.5\n", 1, "decimal multiplier"),
        ("degree_nan", "很 degree NaN\n", 1, "decimal multiplier"),
        ("missing_weight", "满意 pos\n", 1, "single spaces"),
        ("extra_field", "满意 pos 2 extra\n", 1, "single spaces"),
        ("double_space", "满意  pos 2\n", 1, "single spaces"),
        ("leading_space", " 满意 pos 2\n", 1, "single spaces"),
        ("tab_in_word", "满意\t pos 2\n", 1, "whitespace"),
        (
            "duplicate_same_type",
            "满意 pos 2\n# x\n满意 pos 1\n",
            3,
            "first on line 1",
        ),
        (
            "duplicate_other_type",
            "好 pos 1\n很 degree 1.4\n好 degree 1.2\n",
            3,
            "duplicate word \"好\"",
        ),
    ];
    for &(name, text, line, fragment) in cases {
        let error = SentimentLexicon::parse(text).expect_err(name);
        assert_eq!(error.line, line, "{name}: {error}");
        assert!(error.message.contains(fragment), "{name}: {error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("sentiment.txt:{line}: ")),
            "{name}: {error}"
        );
    }
}

#[test]
fn embedded_lexicon_is_valid_and_large() {
    let text = include_str!("../../dictionaries/sentiment.txt");
    assert!(text.starts_with('#'), "the file starts with comment lines");
    let lexicon = SentimentLexicon::parse(text).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lexicon.len() >= 600,
        "only {} pos/neg entries",
        lexicon.len()
    );
    let unique: std::collections::HashSet<&str> = lexicon.words().collect();
    assert_eq!(unique.len(), lexicon.len());
    assert_eq!(SentimentLexicon::embedded().len(), lexicon.len());
    let count = |f: fn(&Class) -> bool| lexicon.classes.values().filter(|c| f(c)).count();
    assert!(count(|c| matches!(c, Class::Sentiment(w) if *w > 0.0)) >= 250);
    assert!(count(|c| matches!(c, Class::Sentiment(w) if *w < 0.0)) >= 350);
    assert!(count(|c| matches!(c, Class::Negator)) >= 10);
    assert!(count(|c| matches!(c, Class::Degree(_))) >= 10);
    assert!(count(|c| matches!(c, Class::But(_))) >= 6);
    // The words the brief names are there with their weights.
    for (word, class) in [
        ("满意", Class::Sentiment(2.0)),
        ("及时", Class::Sentiment(1.0)),
        ("态度恶劣", Class::Sentiment(-3.0)),
        ("骂", Class::Sentiment(-2.0)),
        ("不作为", Class::Sentiment(-3.0)),
        ("不耐烦", Class::Sentiment(-2.0)),
        ("毫无", Class::Negator),
        ("极其", Class::Degree(2.0)),
        ("稍微", Class::Degree(0.6)),
        ("但是", Class::But(1.5)),
    ] {
        assert_eq!(lexicon.classes.get(word), Some(&class), "{word}");
    }
}
