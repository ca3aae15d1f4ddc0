//! Tests of `complaint`: the embedded lexicons, the one-pass scan, fiction.
use super::*;

#[test]
fn embedded_lexicons_cover_every_category_and_cue_group_once() {
    let names: Vec<&str> = lexicons::EMBEDDED_CATEGORY_FILES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        names, CATEGORIES,
        "one file per category, in canonical order"
    );
    let lexicons = ComplaintLexicons::embedded();
    for (index, category) in CATEGORIES.iter().enumerate() {
        let count = lexicons
            .categories
            .entries()
            .iter()
            .filter(|e| e.label == index)
            .count();
        assert!(count >= 40, "{category}: {count} entries");
    }
    for (index, group) in CUE_GROUPS.iter().enumerate() {
        assert!(
            lexicons.cues.entries().iter().any(|e| e.label == index),
            "cue group {group} is empty"
        );
    }
    assert!(lexicons.police.entries().len() >= 60);
}

#[test]
fn one_scan_finds_what_each_lexicon_finds_alone_in_the_same_order() {
    let lexicons = ComplaintLexicons::embedded();
    let all = [&lexicons.police, &lexicons.cues, &lexicons.categories];
    // Texts dense with overlapping entries: every entry's parts run
    // together, with and without fillers, in chunks of neighbours.
    let parts: Vec<String> = all
        .iter()
        .flat_map(|l| l.entries().iter().map(|e| e.parts.join("")))
        .collect();
    let mut texts: Vec<String> = parts
        .chunks(7)
        .map(|chunk| chunk.concat())
        .chain(parts.chunks(5).map(|chunk| chunk.join("，他说")))
        .collect();
    texts.push("民警态度恶劣，派出所不出警。我打了110，警察说不归他们管，还骂人。".into());
    texts.push(String::new());
    let mut hits = 0;
    for text in &texts {
        let prepared = Prepared::new(text);
        let end = |at: usize| prepared.sentence_end(at);
        let (police, cues, categories) = lexicons.scan(&prepared.text, end);
        assert_eq!(police, lexicons.police.find(&prepared.text, end), "{text}");
        assert_eq!(cues, lexicons.cues.find(&prepared.text, end), "{text}");
        assert_eq!(
            categories,
            lexicons.categories.find(&prepared.text, end),
            "{text}"
        );
        hits += police.len() + cues.len() + categories.len();
    }
    assert!(
        hits > parts.len(),
        "the texts exercise the lexicons: {hits}"
    );
}

#[test]
fn fiction_is_told_apart_from_dated_news_and_first_person_posts() {
    let markers = &ComplaintLexicons::embedded().news_markers;
    let novel = "“你们到底管不管？”老周问。\n“这事不归我们管。”民警说。\n“那归谁管？”\n他摇摇头，转身走了。";
    assert!(reads_like_fiction(novel, markers));
    let post = format!("我去派出所报案。{novel}");
    assert!(
        !reads_like_fiction(&post, markers),
        "a first-person narrator"
    );
    let news = format!("2026年3月5日，{novel}");
    assert!(!reads_like_fiction(&news, markers), "a dated report");
    let sourced = format!("据悉，{novel}");
    assert!(!reads_like_fiction(&sourced, markers), "a sourced report");
    assert!(has_date("记者4月14日获悉") && !has_date("第3日"));
}

#[test]
fn bad_detector_word_lines_are_named_by_file_and_line() {
    let parse = |words: &str| {
        ComplaintLexicons::parse("民警 3\n", &[], "praise 感谢…民警 3\n", words)
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(parse("negator 没有\nnews 记者\n"), None);
    let cases = [
        ("negator 没有\nmaybe 也许\n", ":2:", "unknown group `maybe`"),
        ("negator  没有\n", ":1:", "separated by one space"),
        ("# c\nnews 记者\nnews 记者\n", ":3:", "listed twice"),
    ];
    for (words, line, wanted) in cases {
        let error = parse(words).unwrap_or_else(|| panic!("{words:?} parsed"));
        assert!(
            error.contains(&format!("detector_words.txt{line}")) && error.contains(wanted),
            "{words:?}: {error}"
        );
    }
}

#[test]
fn a_negator_from_the_word_list_cancels_the_grievance_after_it() {
    let analyzer = crate::analyze::Analyzer::new(crate::text::Segmenter::embedded());
    let input = |text| crate::analyze::AnalyzeInput {
        text,
        ..Default::default()
    };
    let plain = analyzer.analyze(input("城关派出所民警推诿扯皮，我很气愤。"));
    let negated = analyzer.analyze(input("城关派出所民警并没有推诿扯皮，我很气愤。"));
    assert!(plain.flagged, "{plain:?}");
    assert!(!negated.flagged, "{negated:?}");
}
