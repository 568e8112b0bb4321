//! Reading Chinese names in Latin letters, so 新疆中泰化学 meets "Xinjiang Zhongtai Chemical".
//!
//! English company names render the proper-noun part of a Chinese name in pinyin (新疆 →
//! Xinjiang, 中泰 → Zhongtai) and translate the business words (化学 → Chemical). This module
//! does the same: a short glossary of business words first (longest match wins), pinyin for every
//! other character. The result is compared as a *compact key*: the words without spaces and
//! without corporate filler, because pinyin has no word boundaries ("xin jiang" is "xinjiang").
//!
//! Pinyin is lossy (中泰 and 忠泰 read alike), so the resolver only uses this key to bridge
//! scripts (a Chinese holding name against an English entity name, or the reverse), never to
//! compare two Chinese names, which are compared character by character.

use pinyin::ToPinyin;

use super::vocab::{WordClass, canonical, classify};

/// Chinese business words and the English words company names use for them. Longest first
/// where one contains another (新能源 before 能源).
const GLOSSARY: &[(&str, &str)] = &[
    ("新能源", "new energy"),
    ("新材料", "new materials"),
    ("有色金属", "nonferrous metals"),
    ("生物科技", "biotechnology"),
    ("股份", ""),
    ("有限", ""),
    ("责任", ""),
    ("公司", ""),
    ("集团", "group"),
    ("控股", "holdings"),
    ("化学", "chemical"),
    ("化工", "chemical"),
    ("科技", "technology"),
    ("技术", "technology"),
    ("实业", "industrial"),
    ("工业", "industrial"),
    ("产业", "industry"),
    ("能源", "energy"),
    ("矿业", "mining"),
    ("纺织", "textile"),
    ("棉业", "cotton"),
    ("棉花", "cotton"),
    ("农业", "agriculture"),
    ("生物", "biotech"),
    ("电子", "electronics"),
    ("电气", "electric"),
    ("电力", "power"),
    ("钢铁", "iron and steel"),
    ("铝业", "aluminum"),
    ("铜业", "copper"),
    ("硅业", "silicon"),
    ("金属", "metals"),
    ("材料", "materials"),
    ("食品", "food"),
    ("健康", "health"),
    ("信息", "information"),
    ("数字", "digital"),
    ("投资", "investment"),
    ("发展", "development"),
    ("建设", "construction"),
    ("建材", "building materials"),
    ("证券", "securities"),
    ("银行", "bank"),
    ("服饰", "apparel"),
    ("鞋业", "shoes"),
    ("汽车", "automobile"),
    ("体育", "sports"),
    ("国际", "international"),
    ("贸易", "trade"),
    ("物流", "logistics"),
    ("中国", "china"),
];

/// Renders a name in Latin letters: glossary words translated, other Chinese characters in
/// pinyin (without tones), everything else kept. Words are separated by spaces.
pub fn latin_reading(name: &str) -> String {
    // Latin text reads as itself; only Chinese characters need the glossary and pinyin.
    if !has_han(name) {
        return name.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let mut out = String::with_capacity(name.len() * 2);
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if let Some((zh, en)) = GLOSSARY.iter().find(|(zh, _)| rest.starts_with(zh)) {
            out.push(' ');
            out.push_str(en);
            out.push(' ');
            rest = &rest[zh.len()..];
            continue;
        }
        match c.to_pinyin() {
            // Syllables of one proper noun run together ("xinjiang"), as English names write them.
            Some(p) => out.push_str(p.plain()),
            None => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when the name contains Chinese characters.
pub fn has_han(name: &str) -> bool {
    name.chars().any(|c| c.to_pinyin().is_some())
}

/// The compact key of a normalised name: its Latin reading without filler words and spaces,
/// each word in its canonical spelling. `None` when the key is too short to identify a company
/// (under ten letters: 中泰 reads "zhongtai", shared by unrelated companies).
pub fn compact_key(normalised: &str) -> Option<String> {
    key_of(&latin_reading(normalised))
}

/// Every compact key of a name: for a Chinese name both the reading with translated business
/// words ("xinjiangzhongtaichemical") and the plain pinyin ("xinjiangshengchanjianshebingtuan"),
/// since English names use either.
pub fn compact_keys(normalised: &str) -> Vec<String> {
    let mut keys: Vec<String> = compact_key(normalised).into_iter().collect();
    if has_han(normalised) {
        let plain: String = normalised
            .chars()
            .map(|c| {
                c.to_pinyin()
                    .map_or_else(|| c.to_string(), |p| p.plain().to_string())
            })
            .collect();
        if let Some(k) = key_of(&plain)
            && !keys.contains(&k)
        {
            keys.push(k);
        }
    }
    keys
}

fn key_of(reading: &str) -> Option<String> {
    let key: String = reading
        .split_whitespace()
        .filter(|w| classify(canonical(w)) != WordClass::Weak)
        .map(canonical)
        .collect();
    (key.chars().count() >= 10).then_some(key)
}

/// Leading place names of Chinese company names (provinces, big cities, and 中国 itself).
const PLACES: &[&str] = &[
    "新疆",
    "中国",
    "北京",
    "上海",
    "天津",
    "重庆",
    "杭州",
    "深圳",
    "广州",
    "南京",
    "苏州",
    "无锡",
    "厦门",
    "宁波",
    "合肥",
    "成都",
    "武汉",
    "西安",
    "珠海",
    "东莞",
    "安徽",
    "江苏",
    "浙江",
    "广东",
    "福建",
    "山东",
    "河南",
    "河北",
    "湖南",
    "湖北",
    "四川",
    "甘肃",
    "内蒙古",
    "乌鲁木齐",
    "喀什",
    "阿克苏",
    "和田",
    "吐鲁番",
    "哈密",
    "克拉玛依",
    "石河子",
    "昌吉",
];

/// Trailing words of Chinese company names that describe rather than name: corporate filler
/// and business words (the glossary's, plus a few more).
const SUFFIXES: &[&str] = &[
    "股份",
    "有限",
    "责任",
    "公司",
    "集团",
    "控股",
    "科技",
    "技术",
    "数字",
    "实业",
    "工业",
    "产业",
    "新能源",
    "能源",
    "绿能",
    "化学",
    "化工",
    "电子",
    "电气",
    "电力",
    "精密",
    "重工",
    "机械",
    "汽车",
    "材料",
    "新材料",
    "矿业",
    "纺织",
    "农业",
    "生物",
    "食品",
    "信息",
    "发展",
    "投资",
    "建设",
    "证券",
    "银行",
    "服饰",
    "鞋业",
    "国际",
    "贸易",
    "物流",
    "体育",
];

/// A Chinese name split into its place prefix, its core and its descriptive suffixes:
/// 杭州海康威视数字技术 → (杭州, 海康威视, [技术, 数字]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HanCore {
    pub place: Option<String>,
    pub core: String,
    pub suffixes: Vec<String>,
}

pub fn han_core(normalised: &str) -> HanCore {
    // Share-class letters ("京东方A") and spaces are not part of the name.
    let mut rest: String = normalised.chars().filter(|c| !c.is_whitespace()).collect();
    while rest.ends_with(|c: char| c.is_ascii_alphabetic()) {
        rest.pop();
    }
    let mut place = None;
    if let Some(p) = PLACES
        .iter()
        .find(|p| rest.starts_with(**p) && rest.len() > p.len())
    {
        place = Some((*p).to_string());
        rest = rest[p.len()..].to_string();
    }
    let mut suffixes = Vec::new();
    while let Some(sfx) = SUFFIXES
        .iter()
        .filter(|s| rest.ends_with(**s) && rest.len() > s.len())
        .max_by_key(|s| s.len())
    {
        suffixes.push((*sfx).to_string());
        rest.truncate(rest.len() - sfx.len());
    }
    suffixes.sort();
    HanCore {
        place,
        core: rest,
        suffixes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::normalize_name;

    #[test]
    fn chinese_and_english_names_meet() {
        assert_eq!(latin_reading("新疆中泰化学"), "xinjiangzhongtai chemical");
        assert_eq!(
            compact_key(&normalize_name("新疆中泰化学股份有限公司")),
            compact_key(&normalize_name("Xinjiang Zhongtai Chemical Co., Ltd."))
        );
        assert_eq!(
            compact_key(&normalize_name("晨光生物科技集团股份有限公司")),
            compact_key(&normalize_name("Chenguang Biotech Group Co., Ltd."))
        );
        assert_eq!(
            compact_key(&normalize_name("海康威视")).as_deref(),
            Some("haikangweishi")
        );
    }

    #[test]
    fn cores_of_chinese_names() {
        let c = han_core("杭州海康威视数字技术");
        assert_eq!(c.place.as_deref(), Some("杭州"));
        assert_eq!(c.core, "海康威视");
        assert_eq!(c.suffixes, vec!["技术", "数字"]);
        assert_eq!(han_core("京东方a").core, "京东方");
        assert_eq!(han_core("中国铁建重工集团").core, "铁建");
    }

    #[test]
    fn short_keys_identify_nothing() {
        assert_eq!(compact_key("中泰"), None);
        assert_eq!(compact_key("china group"), None);
    }

    #[test]
    fn detects_han() {
        assert!(has_han("ST中基"));
        assert!(!has_han("ZHONGTAI"));
    }
}
