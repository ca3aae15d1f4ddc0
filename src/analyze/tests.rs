//! The analyser on texts written for these tests, one per phenomenon the
//! detector must handle (the dev set is never copied here).

use super::{AnalyzeInput, Analyzer};
use crate::model::{Analysis, ItemKind};
use crate::text::Segmenter;

fn analyze(text: &str) -> Analysis {
    Analyzer::new(Segmenter::embedded()).analyze(AnalyzeInput {
        text,
        ..AnalyzeInput::default()
    })
}

fn main_category(analysis: &Analysis) -> &str {
    analysis
        .categories
        .first()
        .map(String::as_str)
        .unwrap_or("-")
}

/// (phenomenon, text, flagged, main category or "-").
const CASES: &[(&str, &str, bool, &str)] = &[
    (
        "first-person inaction",
        "昨晚小区里有人砸车，我打了三次110，城关派出所一直没人出警，第二天去问，值班民警说这事不归他们管。",
        true,
        "inaction",
    ),
    (
        "rude officer at a service window",
        "去派出所户籍窗口补办身份证，那位民警态度恶劣，张口就骂，还让我滚出去。",
        true,
        "attitude",
    ),
    (
        "negated grievance is praise",
        "民警没有推诿，接警后五分钟就赶到了现场，处理得很好。",
        false,
        "-",
    ),
    (
        "another department, not police",
        "城管态度恶劣，把老人的菜摊掀翻了，还动手推人，希望城管局管管。",
        false,
        "-",
    ),
    (
        "praise and a banner",
        "感谢东湖派出所民警耐心帮忙找回丢失的钱包，今天特地送去一面锦旗。",
        false,
        "-",
    ),
    (
        "refuted rumour",
        "网传“民警打人”视频系恶意剪辑。经核查，完整视频显示民警执法过程规范，该说法不属实。",
        false,
        "-",
    ),
    (
        "citizen attacks police",
        "男子酒后辱骂并殴打执勤民警，涉嫌袭警，已被警方依法刑事拘留。",
        false,
        "-",
    ),
    (
        "police arrest someone else's violence",
        "民警接警后迅速赶到现场，将殴打他人的男子抓获，目前犯罪嫌疑人已被刑事拘留。",
        false,
        "-",
    ),
    (
        "secondary grievance against police",
        "村主任带人把我家院墙推倒还打了我，我去派出所报案，派出所推诿说是民事纠纷，不给立案。",
        true,
        "inaction",
    ),
    (
        "traditional characters",
        "警察態度惡劣，對報案的老人大聲呵斥，還罵人，實在太過分了。",
        true,
        "attitude",
    ),
    (
        "police notice admits misconduct",
        "针对网传辅警查车时索要香烟一事，交警大队调查核实后，已将涉事辅警辞退，并向当事人道歉。",
        true,
        "corruption",
    ),
    (
        "slow administrative service",
        "到车管所办个转移登记，排了四个小时队，材料被退回三次，来回跑了五趟还没办成。",
        true,
        "slow_service",
    ),
    (
        "a short, blunt grievance",
        "东门派出所那个民警态度差。",
        true,
        "attitude",
    ),
    (
        "no case opened, said with 没",
        "手机被偷报警一个星期了，派出所到现在都没有立案。",
        true,
        "inaction",
    ),
    (
        "a praise letter that mentions what others complain of",
        "在出入境窗口办港澳通行证，以前都说办证难，这次半小时就好了，特此表扬窗口的民警。",
        false,
        "-",
    ),
    (
        "police announcement",
        "警方提醒：近期冒充客服退款的诈骗高发，请广大市民提高警惕，如遇可疑情况请及时拨打110报警。",
        false,
        "-",
    ),
    (
        "violence in a 把 sentence, police the subject",
        "巡逻的民警把摆摊的阿姨一把推倒，阿姨手上擦破了一大块皮。",
        true,
        "violence_or_abuse",
    ),
    (
        "a guard's violence that police then handle",
        "小区保安把送外卖的小哥推倒在地，民警赶到后把保安带走调查。",
        false,
        "-",
    ),
    (
        "nobody dispatched after 110 calls",
        "家门口有人拿着棍子打架，拨打110后等了一个小时无人出警。",
        true,
        "inaction",
    ),
    (
        "held without a summons or a call home",
        "被两名民警带到派出所问话，五个小时不让联系家人，也没出示任何传唤证。",
        true,
        "irregular_enforcement",
    ),
    (
        "a police-issued certificate, many trips",
        "为了开一张无犯罪记录证明，前后来回跑了四趟还没开出来。",
        true,
        "slow_service",
    ),
    (
        "a dismissive call-taker",
        "半夜听到楼道里有人撬锁，打110报警，接警员说“别浪费警力”，然后就挂了。",
        true,
        "attitude",
    ),
    (
        "a reported case gone silent",
        "手机被骗走八千元，报案时拿到了受案回执，之后两个月没有任何民警联系我。",
        true,
        "case_handling",
    ),
    (
        "police help a drunk person home",
        "深夜，民警将醉酒倒在路边的男子扶上警车，送回家中交给了家属。",
        false,
        "-",
    ),
    (
        "a drunk officer",
        "有网友反映，派出所一名民警醉酒后在饭店门口和人争吵，还砸了店里的东西。",
        true,
        "other_police",
    ),
    (
        "110 inside a ticket number is no police",
        "热线工单号2026110098662762反映的路灯问题，显示已办结，但路灯至今不亮，承办单位敷衍了事。",
        false,
        "-",
    ),
];

#[test]
fn phenomena() {
    let mut failures = Vec::new();
    for (name, text, flagged, category) in CASES {
        let analysis = analyze(text);
        if analysis.flagged != *flagged || main_category(&analysis) != *category {
            failures.push(format!(
                "{name}: flagged {} {:?}, expected {flagged} {category}; evidence {:?}",
                analysis.flagged, analysis.categories, analysis.evidence
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn evidence_offsets_are_characters_into_the_text() {
    let text = "“城关派出所”——我们打了三次110，民警一直没人出警！态度还很差。";
    let analysis = analyze(text);
    assert!(analysis.flagged);
    assert!(!analysis.evidence.is_empty());
    let chars: Vec<char> = text.chars().collect();
    for evidence in &analysis.evidence {
        let slice: String = chars[evidence.start..evidence.end].iter().collect();
        assert_eq!(slice, evidence.text);
    }
    assert_eq!(analysis.units, vec!["城关派出所"]);
}

#[test]
fn severity_levels_follow_harm() {
    let beating = analyze("派出所民警对被带到所里的村民拳打脚踢，刑讯逼供，致其肋骨骨折住院。");
    let queue = analyze("派出所户籍窗口办事慢，排队排了一个小时，来回跑了两趟。");
    assert!(beating.flagged && queue.flagged);
    assert_eq!(beating.level, "critical");
    assert!(
        beating.severity > queue.severity + 20,
        "{} vs {}",
        beating.severity,
        queue.severity
    );
    let petition = Analyzer::new(Segmenter::embedded()).analyze(AnalyzeInput {
        text: "派出所户籍窗口办事慢，排队排了一个小时，来回跑了两趟。",
        kind: Some(ItemKind::Petition),
        copies: 8,
        ..AnalyzeInput::default()
    });
    assert!(
        petition.severity > queue.severity,
        "spread and kind raise severity"
    );
}

#[test]
fn sentiment_units_and_keywords() {
    let analysis = analyze("感谢江城市公安局交警支队民警热心帮助，服务非常好！");
    assert!(analysis.sentiment > 0.3, "{}", analysis.sentiment);
    assert_eq!(analysis.units, vec!["江城市公安局交警支队"]);
    assert!(
        analysis.keywords.iter().any(|k| k == "民警"),
        "{:?}",
        analysis.keywords
    );
    let angry = analyze("民警态度恶劣，推诿扯皮，太让人失望了！");
    assert!(angry.sentiment < -0.3, "{}", angry.sentiment);
}

#[test]
fn about_police_is_the_detectors_police_judgement_flagged_or_not() {
    let analyzer = Analyzer::new(Segmenter::embedded());
    let judge = |title: &str, text: &str| {
        let input = AnalyzeInput {
            text,
            title: Some(title),
            kind: Some(ItemKind::Petition),
            copies: 1,
        };
        let (detection, _) = analyzer.detect(input);
        (analyzer.analyze(input), detection)
    };
    // A complaint, a question to the police, a thank-you: about police.
    // A kindergarten and a gas company: not, and not flagged either way.
    for (title, text, about) in [
        ("出警太慢", "我打了三次110，城关派出所一直没人出警。", true),
        ("咨询居住证", "请问办理居住证需要到派出所带哪些材料？", true),
        ("感谢民警", "感谢东湖派出所民警帮忙找回丢失的钱包。", true),
        (
            "幼儿园涨价",
            "民办幼儿园突然把保育费涨了八百元，没有征求家长意见。",
            false,
        ),
        (
            "燃气公司推销",
            "燃气公司上门安检时强制推销软管，不买就不给通气。",
            false,
        ),
    ] {
        let (analysis, detection) = judge(title, text);
        assert_eq!(analysis.about_police, Some(about), "{text}: {analysis:?}");
        // The same rule as the detector's own: a flagged text is always
        // about police; `about_police` is that test, kept for every text.
        assert_eq!(
            detection.about_police() || !analysis.units.is_empty(),
            about
        );
        assert!(!analysis.flagged || about);
    }
    // Police named only in the title count too.
    let (titled, _) = judge("反映城关派出所民警", "窗口工作人员一个多月没有答复。");
    assert_eq!(titled.about_police, Some(true), "{titled:?}");
}

#[test]
fn a_petition_answered_by_a_police_unit_is_about_police() {
    let analyzer = Analyzer::new(Segmenter::embedded());
    let noise = analyzer.analyze(AnalyzeInput {
        text: "楼下烧烤店每天营业到凌晨，油烟和噪音让人无法休息。",
        kind: Some(ItemKind::Petition),
        ..AnalyzeInput::default()
    });
    assert_eq!(noise.about_police, Some(false));
    for (unit, about) in [
        (Some("城关派出所"), true),
        (Some("江城市公安局交警支队"), true),
        (Some("南港区公安分局"), true),
        (Some("城关区城市管理局"), false),
        (Some("江城市生态环境局"), false),
        (Some(""), false),
        (None, false),
    ] {
        let mut analysis = noise.clone();
        analyzer.petition_about_police(&mut analysis, unit);
        assert_eq!(analysis.about_police, Some(about), "{unit:?}");
        assert_eq!(
            Analysis {
                about_police: noise.about_police,
                ..analysis
            },
            noise,
            "nothing else changes"
        );
    }
    // A text already about police stays so whoever replied.
    let mut police = noise.clone();
    police.about_police = Some(true);
    analyzer.petition_about_police(&mut police, Some("城关区城市管理局"));
    assert_eq!(police.about_police, Some(true));
}

#[test]
fn bad_input_gives_a_valid_result() {
    let huge = "民警".repeat(500_000);
    let cases = [
        "",
        "   ",
        "no chinese at all, just ascii 12345",
        "<p>派出所<b>民警</b>态度恶劣</p><script>x()</script>",
        "😡😡民警态度恶劣！！！👎",
        huge.as_str(),
        "简体和繁體混合：警察態度惡劣，民警态度恶劣",
    ];
    for text in cases {
        let analysis = analyze(text);
        assert!(analysis.severity <= 100);
        assert!((-1.0..=1.0).contains(&analysis.sentiment));
        let chars = text.chars().count();
        assert!(
            analysis
                .evidence
                .iter()
                .all(|e| e.start <= e.end && e.end <= chars)
        );
    }
}

#[test]
fn the_index_tokens_handed_on_are_those_the_tokenizer_gives() {
    use crate::text::segment::DocTokens;
    let segmenter = Segmenter::embedded();
    let analyzer = Analyzer::new(segmenter.clone());
    let long_title = "城关派出所民警".repeat(700);
    let long_body = "民警态度恶劣，".repeat(MAX_BODY_REPEAT);
    let cases: [(&str, &str); 6] = [
        ("投诉城关派出所", "昨晚我打了110，派出所一直没人出警。"),
        ("", "警察說ＧＰＳ定位壞了，ABC公司的Police 也沒來！"),
        ("   ", "１２３号民警　出警慢"),
        (&long_title, "标题很长"),
        ("正文很长", &long_body),
        ("", ""),
    ];
    for (title, body) in cases {
        let (_, _, tokens) = analyzer.analyze_for_store(AnalyzeInput {
            text: body,
            title: Some(title),
            ..AnalyzeInput::default()
        });
        let expected = DocTokens::of(&segmenter, title, body);
        assert!(
            tokens == expected,
            "tokens differ for title {:.20} / body {:.20}",
            title,
            body
        );
        assert_eq!(!body.trim().is_empty(), !tokens.body.is_empty());
    }
}

/// Repeats of a 7-character clause that pass the analysis's byte cap.
const MAX_BODY_REPEAT: usize = super::MAX_ANALYSIS_BYTES / 21 + 10;
