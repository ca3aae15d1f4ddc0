//! Tests of the review pass: which items, petitions and trends raise cases.

use super::*;
use crate::model::{Analysis, Item, ItemKind, PetitionState};

#[test]
fn transitions_follow_the_workflow() {
    assert!(allowed("new", "in_review"));
    assert!(allowed("in_review", "dismissed"));
    assert!(allowed("dismissed", "in_review"), "reopen");
    assert!(!allowed("dismissed", "confirmed"), "reopen first");
    assert!(!allowed("new", "new"));
}

#[test]
fn filters_naming_no_possible_case_are_refused() {
    let filter = |status: Option<&str>, level: Option<&str>, category: Option<&str>| {
        check_filter(&CaseFilter {
            status: status.map(str::to_string),
            level: level.map(str::to_string),
            category: category.map(str::to_string),
            ..CaseFilter::default()
        })
    };
    assert!(filter(None, None, None).is_ok());
    assert!(filter(Some("in_review"), Some("critical"), Some("inaction")).is_ok());
    let refused = filter(Some("foo"), None, None).unwrap_err();
    assert!(refused.is_usage());
    assert_eq!(
        refused.to_string(),
        "unknown status `foo`: use one of new, in_review, confirmed, dismissed, escalated"
    );
    assert_eq!(
        filter(None, Some("urgent"), None).unwrap_err().to_string(),
        "unknown level `urgent`: use one of critical, high, medium, low"
    );
    let category = filter(None, None, Some("rudeness"))
        .unwrap_err()
        .to_string();
    assert!(
        category.starts_with("unknown category `rudeness`: use one of attitude, inaction,"),
        "{category}"
    );
}

#[test]
fn boilerplate_replies_are_told_from_answers() {
    assert!(is_boilerplate_reply(""));
    assert!(is_boilerplate_reply(
        "您好，您的留言已收悉，已转相关部门办理。感谢您的来信！"
    ));
    assert!(!is_boilerplate_reply(
        "经核查，城关派出所已于11月20日对您反映的电动车被盗案立案侦查，目前已调取周边监控，办案民警会及时与您联系。"
    ));
}

fn stored(id: &str, kind: ItemKind, petition: PetitionState) -> Item {
    let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 1, 2, 0, 0).unwrap();
    Item {
        id: id.into(),
        source: "test".into(),
        kind,
        url: None,
        title: format!("标题{id}"),
        body: format!("正文{id}"),
        author: None,
        published_at: at,
        fetched_at: at,
        unit: None,
        region: None,
        content_hash: format!("{id}-{petition:?}"),
        petition,
    }
}

#[test]
fn each_pass_raises_what_is_new_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("y.db")).unwrap();
    let config = ReviewConfig::default();
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 0, 0, 0).unwrap();
    let waiting = PetitionState {
        status: Some("未回复".into()),
        ..PetitionState::default()
    };
    let forwarded = PetitionState {
        status: Some("已回复".into()),
        reply: Some("您好，您的留言已收悉，已转相关部门办理。".into()),
        ..PetitionState::default()
    };
    let complaint = Analysis {
        flagged: true,
        level: "high".into(),
        ..Analysis::default()
    };
    let plain = || Analysis::default();
    store
        .upsert_items(&[
            (stored("waiting", ItemKind::Petition, waiting), plain()),
            (
                stored("forwarded", ItemKind::Petition, forwarded.clone()),
                plain(),
            ),
            (
                stored("complaint", ItemKind::Post, PetitionState::default()),
                complaint,
            ),
            (
                stored("other", ItemKind::Post, PetitionState::default()),
                plain(),
            ),
        ])
        .unwrap();
    let first = raise_cases(&mut store, &config, &[], now).unwrap();
    assert_eq!((first.items, first.petitions), (1, 2), "{first:?}");

    let again = raise_cases(&mut store, &config, &[], now).unwrap();
    assert_eq!((again.items, again.petitions), (0, 0), "{again:?}");

    // The waiting petition gets a forwarding reply: a new change, seen
    // by the next pass although the passes in between found no reply.
    store
        .upsert_items(&[(stored("waiting", ItemKind::Petition, forwarded), plain())])
        .unwrap();
    let later = raise_cases(&mut store, &config, &[], now).unwrap();
    assert_eq!((later.items, later.petitions), (0, 1), "{later:?}");
    let subjects: Vec<String> = store
        .cases(&Default::default())
        .unwrap()
        .into_iter()
        .map(|case| case.subject)
        .collect();
    for subject in [
        "petition:waiting",
        "petition-reply:forwarded",
        "petition-reply:waiting",
    ] {
        assert!(
            subjects.iter().any(|s| s == subject),
            "{subject}: {subjects:?}"
        );
    }
}

/// A petition as the pipeline stores it: analysed by the real analyser,
/// with the replying unit considered.
fn analysed_petition(
    analyzer: &crate::analyze::Analyzer,
    id: &str,
    title: &str,
    body: &str,
    petition: PetitionState,
) -> (Item, Analysis) {
    let mut item = stored(id, ItemKind::Petition, petition);
    item.title = title.into();
    item.body = body.into();
    let mut analysis = analyzer.analyze(crate::analyze::AnalyzeInput {
        text: body,
        title: Some(title),
        kind: Some(ItemKind::Petition),
        copies: 1,
    });
    analyzer.petition_about_police(&mut analysis, item.petition.reply_unit.as_deref());
    (item, analysis)
}

fn petition_subjects(store: &Store) -> Vec<String> {
    let mut subjects: Vec<String> = store
        .cases(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|case| case.origin == "petition")
        .map(|case| case.subject)
        .collect();
    subjects.sort();
    subjects
}

#[test]
fn only_petitions_about_police_raise_petition_cases() {
    let analyzer = crate::analyze::Analyzer::new(crate::text::Segmenter::embedded());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("y.db")).unwrap();
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 0, 0, 0).unwrap();
    let waiting = || PetitionState {
        status: Some("未回复".into()),
        ..PetitionState::default()
    };
    let forwarded = |unit: &str| PetitionState {
        status: Some("已回复".into()),
        reply: Some("您好，您的留言已收悉，已转相关部门办理。感谢您的来信！".into()),
        reply_unit: Some(unit.into()),
        ..PetitionState::default()
    };
    let kindergarten = (
        "民办幼儿园突然大幅涨价",
        "孩子所在的民办幼儿园这学期突然把保育费从每月一千八涨到两千六，事先没有征求家长意见，请教育局核查。",
    );
    let residence = (
        "咨询居住证办理材料",
        "请问在江城居住满半年，到城关派出所办理居住证需要带哪些材料？民警电话一直打不通。",
    );
    let noise = (
        "楼下烧烤店油烟噪音扰民",
        "小区楼下的烧烤店每天营业到凌晨两点，油烟和噪音让人无法休息，希望有关部门管一管。",
    );
    let items = vec![
        analysed_petition(
            &analyzer,
            "kindergarten",
            kindergarten.0,
            kindergarten.1,
            waiting(),
        ),
        analysed_petition(&analyzer, "residence", residence.0, residence.1, waiting()),
        analysed_petition(
            &analyzer,
            "kindergarten-forwarded",
            kindergarten.0,
            kindergarten.1,
            forwarded("东湖区教育局"),
        ),
        analysed_petition(
            &analyzer,
            "residence-forwarded",
            residence.0,
            residence.1,
            forwarded("南港区公安分局"),
        ),
        // Nothing about police in the words, but a police unit replied.
        analysed_petition(
            &analyzer,
            "noise-forwarded",
            noise.0,
            noise.1,
            forwarded("城关派出所"),
        ),
        analysed_petition(
            &analyzer,
            "noise-forwarded-elsewhere",
            noise.0,
            noise.1,
            forwarded("城关区城市管理局"),
        ),
    ];
    // What the analyser says, so a failure below points at the rule.
    let about: Vec<(&str, Option<bool>)> = items
        .iter()
        .map(|(item, analysis)| (item.id.as_str(), analysis.about_police))
        .collect();
    assert_eq!(
        about,
        [
            ("kindergarten", Some(false)),
            ("residence", Some(true)),
            ("kindergarten-forwarded", Some(false)),
            ("residence-forwarded", Some(true)),
            ("noise-forwarded", Some(true)),
            ("noise-forwarded-elsewhere", Some(false)),
        ]
    );
    assert!(
        items.iter().all(|(_, analysis)| !analysis.flagged),
        "no item case should blur the petition counts"
    );
    store.upsert_items(&items).unwrap();
    let raised = raise_cases(&mut store, &ReviewConfig::default(), &[], now).unwrap();
    assert_eq!(
        petition_subjects(&store),
        [
            "petition-reply:noise-forwarded",
            "petition-reply:residence-forwarded",
            "petition:residence",
        ]
    );
    assert_eq!((raised.items, raised.petitions), (0, 3), "{raised:?}");
}

#[test]
fn a_flagged_petition_still_raises_its_item_case() {
    let analyzer = crate::analyze::Analyzer::new(crate::text::Segmenter::embedded());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("y.db")).unwrap();
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 0, 0, 0).unwrap();
    let complaint = analysed_petition(
        &analyzer,
        "slow",
        "报警五十分钟后民警才到",
        "我家被盗后拨打110报警，城关派出所民警五十分钟后才到现场，到了以后态度冷漠，随便问了两句就走了，至今没有任何消息。",
        PetitionState {
            status: Some("未回复".into()),
            ..PetitionState::default()
        },
    );
    assert!(complaint.1.flagged, "{:?}", complaint.1);
    assert_eq!(complaint.1.about_police, Some(true));
    store.upsert_items(&[complaint]).unwrap();
    let raised = raise_cases(&mut store, &ReviewConfig::default(), &[], now).unwrap();
    assert_eq!((raised.items, raised.petitions), (1, 1), "{raised:?}");
    assert_eq!(petition_subjects(&store), ["petition:slow"]);
}

#[test]
fn petitions_analysed_before_the_judgement_are_raised_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("y.db")).unwrap();
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 0, 0, 0).unwrap();
    let waiting = PetitionState {
        status: Some("未回复".into()),
        ..PetitionState::default()
    };
    let judged = |about_police| Analysis {
        about_police,
        ..Analysis::default()
    };
    store
        .upsert_items(&[
            (
                stored("unknown", ItemKind::Petition, waiting.clone()),
                judged(None),
            ),
            (
                stored("police", ItemKind::Petition, waiting.clone()),
                judged(Some(true)),
            ),
            (
                stored("elsewhere", ItemKind::Petition, waiting),
                judged(Some(false)),
            ),
        ])
        .unwrap();
    let raised = raise_cases(&mut store, &ReviewConfig::default(), &[], now).unwrap();
    assert_eq!(raised.petitions, 2, "{raised:?}");
    assert_eq!(
        petition_subjects(&store),
        ["petition:police", "petition:unknown"]
    );
}
