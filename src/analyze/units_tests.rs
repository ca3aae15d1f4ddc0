//! Tests of `units`: golden cases and properties.
use super::*;

fn names(text: &str) -> Vec<String> {
    find_units(UnitLexicon::embedded(), text)
        .into_iter()
        .map(|m| m.name)
        .collect()
}

/// (case name, text, expected unit names in order)
const GOLDEN: &[(&str, &str, &[&str])] = &[
    ("plain unit", "城关派出所民警态度很差", &["城关派出所"]),
    ("road name", "东湖路派出所的民警", &["东湖路派出所"]),
    ("after 到", "昨天我到城关派出所报案", &["城关派出所"]),
    ("after 去", "我去东湖派出所办身份证", &["东湖派出所"]),
    ("after 向", "我向江城市公安局反映了情况", &["江城市公安局"]),
    (
        "after 在",
        "他在东湖路派出所门口等了两个小时",
        &["东湖路派出所"],
    ),
    ("after 投诉", "投诉城关派出所不作为", &["城关派出所"]),
    ("after 被", "被城关派出所民警带走", &["城关派出所"]),
    ("after 的", "江城市的城关派出所", &["城关派出所"]),
    ("after 曝", "网曝城关派出所民警打人", &["城关派出所"]),
    (
        "after thanks",
        "多谢西塘派出所帮我找回了车",
        &["西塘派出所"],
    ),
    ("how often is no name", "我跑了两次派出所都没人管", &[]),
    ("which day is no name", "隔天派出所才打电话来", &[]),
    (
        "one's registration station is no name",
        "只能回老家派出所开证明",
        &[],
    ),
    (
        "a name after whose station",
        "要去居住地北门派出所办居住证",
        &["北门派出所"],
    ),
    (
        "nested bureau and station",
        "江城市公安局城关派出所民警",
        &["江城市公安局", "城关派出所"],
    ),
    (
        "district sub-bureau",
        "城关区公安分局通报称",
        &["城关区公安分局"],
    ),
    (
        "sub-bureau then station",
        "城关区公安分局东湖路派出所",
        &["城关区公安分局", "东湖路派出所"],
    ),
    ("county bureau", "江城县公安局回应", &["江城县公安局"]),
    (
        "分局 after 公安局",
        "江城市公安局城关分局民警",
        &["江城市公安局", "城关分局"],
    ),
    ("分局 alone is not police", "税务分局的工作人员", &[]),
    (
        "交警支队 joins its bureau",
        "江城市公安局交警支队回应",
        &["江城市公安局交警支队"],
    ),
    ("交警大队", "西山区交警大队民警", &["西山区交警大队"]),
    (
        "numbered squad",
        "投诉高速交警三大队乱罚款",
        &["高速交警三大队"],
    ),
    (
        "numbered squad joins",
        "江城市公安局交警支队三大队",
        &["江城市公安局交警支队三大队"],
    ),
    (
        "brigade then squad",
        "西山区交警大队一中队",
        &["西山区交警大队一中队"],
    ),
    ("刑警大队", "南港刑警大队破获此案", &["南港刑警大队"]),
    (
        "出入境",
        "北岸区出入境管理大队办证",
        &["北岸区出入境管理大队"],
    ),
    ("车管所", "江城市车管所办事效率低", &["江城市车管所"]),
    ("第一看守所", "在第一看守所羁押", &["第一看守所"]),
    (
        "city 第一看守所",
        "被关进江城市第一看守所",
        &["江城市第一看守所"],
    ),
    ("警务室", "城东警务室的民警", &["城东警务室"]),
    ("community 警务室", "阳光小区警务室", &["阳光小区警务室"]),
    ("generic 社区警务室", "社区警务室", &[]),
    ("110 alone", "拨打110指挥中心电话", &["110指挥中心"]),
    (
        "110 joins",
        "江城市公安局110指挥中心",
        &["江城市公安局110指挥中心"],
    ),
    (
        "full-width 110",
        "江城市公安局１１０指挥中心",
        &["江城市公安局110指挥中心"],
    ),
    ("non-police command centre", "应急指挥中心", &[]),
    (
        "police command centre",
        "江城公安指挥中心",
        &["江城公安指挥中心"],
    ),
    ("bare 派出所", "派出所民警态度差", &[]),
    ("当地派出所", "当地派出所不作为", &[]),
    ("附近派出所", "我去了附近的派出所", &[]),
    ("该县公安局", "该县公安局回应", &[]),
    ("我市公安局", "我市公安局通报", &[]),
    ("市公安局 then 交警支队", "市公安局交警支队", &[]),
    ("这个派出所", "这个派出所太差", &[]),
    ("公安处理", "交由公安处理", &[]),
    ("公安部门", "公安部门表示", &[]),
    ("公安部", "向公安部举报", &["公安部"]),
    ("刑警队长", "江城刑警队长", &[]),
    ("交警队", "江城交警队", &["江城交警队"]),
    ("allow-listed 和平路", "和平路派出所民警", &["和平路派出所"]),
    ("allow-listed 向阳", "向阳派出所", &["向阳派出所"]),
    ("allow-listed 共和路", "到共和路派出所", &["共和路派出所"]),
    ("no boundary char 长安", "长安派出所", &["长安派出所"]),
    ("经开区", "江城经开区公安分局", &["江城经开区公安分局"]),
    ("经三路", "经三路派出所", &["经三路派出所"]),
    (
        "和 between units",
        "城关派出所和东湖派出所",
        &["城关派出所", "东湖派出所"],
    ),
    (
        "Chinese punctuation",
        "“城关派出所”、“东湖派出所”",
        &["城关派出所", "东湖派出所"],
    ),
    ("date before", "3月5日城关派出所民警", &["城关派出所"]),
    ("time before", "昨天城关派出所民警", &["城关派出所"]),
    ("10时许", "10时许城关派出所接警", &["城关派出所"]),
    (
        "long name cut at 自治区",
        "新疆维吾尔自治区乌鲁木齐市公安局",
        &["乌鲁木齐市公安局"],
    ),
    (
        "ten-char prefix kept",
        "江城市经济技术开发区公安分局",
        &["江城市经济技术开发区公安分局"],
    ),
    ("Latin letters", "XX派出所", &[]),
    ("one-char prefix", "上公安局告他", &[]),
    ("各派出所", "市公安局、区公安分局、各派出所要高度重视", &[]),
    ("市局 is generic", "市局交警支队", &[]),
    ("记者从", "记者从江城市公安局获悉", &["江城市公安局"]),
    ("报警后", "报警后城关派出所民警迟迟不出警", &["城关派出所"]),
    (
        "long verb 谴责",
        "强烈谴责城关派出所暴力执法",
        &["城关派出所"],
    ),
    ("verb 大闹", "男子酒驾被查后大闹交警大队", &[]),
    (
        "lone 分局 before police words",
        "海淀分局民警到场",
        &["海淀分局"],
    ),
    (
        "lone 分局 before a unit",
        "城关分局东湖派出所",
        &["城关分局", "东湖派出所"],
    ),
    (
        "named squad after a squad",
        "江城市公安局交警支队高速三大队通报",
        &["江城市公安局交警支队", "高速三大队"],
    ),
    ("generic numbered squad", "交警三大队的民警乱贴罚单", &[]),
    (
        "three-level chain",
        "江城市公安局交通管理局车辆管理所",
        &["江城市公安局交通管理局车辆管理所"],
    ),
    (
        "交通警察局",
        "深圳市公安局交通警察局",
        &["深圳市公安局交通警察局"],
    ),
    (
        "强制隔离戒毒所",
        "江城市强制隔离戒毒所",
        &["江城市强制隔离戒毒所"],
    ),
    (
        "省公安厅 squad",
        "南江省公安厅交警总队发布提示",
        &["南江省公安厅交警总队"],
    ),
    ("bare 省公安厅", "省公安厅督察总队已派员调查", &[]),
    (
        "经侦 long form",
        "江城市公安局经济犯罪侦查支队",
        &["江城市公安局经济犯罪侦查支队"],
    ),
    (
        "反诈中心",
        "江城市公安局反诈中心提醒",
        &["江城市公安局反诈中心"],
    ),
    ("边检站", "皇岗边检站", &["皇岗边检站"]),
    (
        "unpunctuated post",
        "我今天上午去城关派出所办事民警态度特别差让我等了两个小时还骂我",
        &["城关派出所"],
    ),
    ("empty text", "", &[]),
    ("no CJK", "hello world 110, police 123", &[]),
];

#[test]
fn golden_cases() {
    let mut failures = Vec::new();
    for (case, text, want) in GOLDEN {
        let got = names(text);
        if got != *want {
            failures.push(format!("{case}: {text:?} → {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn offsets_are_chars_and_slice_to_the_name() {
    let text = "昨天，我到城关派出所报案；江城市公安局城关派出所民警说去找“东湖路派出所”。";
    let found = find_units(UnitLexicon::embedded(), text);
    let chars: Vec<char> = text.chars().collect();
    for m in &found {
        let slice: String = chars[m.start..m.end].iter().collect();
        assert_eq!(slice, m.name);
    }
    let spans: Vec<(&str, usize, usize)> = found
        .iter()
        .map(|m| (m.name.as_str(), m.start, m.end))
        .collect();
    assert_eq!(
        spans,
        [
            ("城关派出所", 5, 10),
            ("江城市公安局", 13, 19),
            ("城关派出所", 19, 24),
            ("东湖路派出所", 30, 36),
        ]
    );
}

#[test]
fn full_width_name_keeps_original_offsets() {
    let text = "江城市公安局１１０指挥中心";
    let found = find_units(UnitLexicon::embedded(), text);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].start, found[0].end), (0, 13));
    assert_eq!(found[0].name, "江城市公安局110指挥中心");
}

#[test]
fn main_units_by_frequency_then_first_appearance() {
    let text = "城关派出所不作为，东湖派出所也不管。后来东湖派出所又推给江城市公安局，江城市公安局没回。西山派出所。";
    assert_eq!(
        main_units(UnitLexicon::embedded(), text, 10),
        ["东湖派出所", "江城市公安局", "城关派出所", "西山派出所"]
    );
    assert_eq!(
        main_units(UnitLexicon::embedded(), text, 2),
        ["东湖派出所", "江城市公安局"]
    );
    assert!(main_units(UnitLexicon::embedded(), text, 0).is_empty());
    assert!(main_units(UnitLexicon::embedded(), "派出所民警态度差", 5).is_empty());
    assert!(main_units(UnitLexicon::embedded(), "", 5).is_empty());
}

// Large inputs: what is found, not how fast (no timing is asserted in a
// test). How long they take is measured by `yuqing bench` (its
// pathological-input stage), and a quadratic scan would stall these tests.

#[test]
fn one_megabyte_without_units_finds_none() {
    let sentence = "今天天气很好我们一起去公园散步看见很多人在跳舞唱歌心情愉快";
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(sentence);
    }
    assert!(find_units(UnitLexicon::embedded(), &text).is_empty());
    assert!(main_units(UnitLexicon::embedded(), &text, 5).is_empty());
}

#[test]
fn one_megabyte_of_near_misses_finds_only_the_real_units() {
    // Long numeral runs, repeated suffix starts, and unpunctuated name runs
    // that hit the prefix cap before every suffix.
    let pieces = [
        "一".repeat(100_000),
        "公安".repeat(50_000),
        "交警".repeat(50_000),
        "江城市经济技术开发区新城街道东湖社区派出所".repeat(5_000),
        "分局".repeat(20_000),
    ];
    let text: String = pieces.concat();
    assert!(text.len() >= 1 << 20);
    let found = find_units(UnitLexicon::embedded(), &text);
    assert_eq!(found.len(), 5_000);
}

#[test]
fn one_megabyte_dense_with_units_finds_them() {
    let sentence = "江城市公安局城关派出所交警大队一中队长安派出所";
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(sentence);
    }
    let found = find_units(UnitLexicon::embedded(), &text);
    assert!(!found.is_empty());
    assert_eq!(main_units(UnitLexicon::embedded(), &text, 1).len(), 1);
}
