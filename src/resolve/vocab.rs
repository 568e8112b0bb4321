//! Word classes for name matching: which words of a company name say *who* it is and which only
//! say *where* it is or *what it does*.
//!
//! "Xinjiang Zhongtai Chemical" and "Zhongtai Securities" share `zhongtai`, the word that names
//! the company; `xinjiang` and `chemical` are shared by hundreds of unrelated firms. The matcher
//! only auto-matches when the distinctive words agree, treats place and business words as
//! supporting (and conflicting) evidence, and barely counts corporate filler. The reference data
//! holds about 200 entities, too few to learn word rarity from, so the classes are written out
//! here from the names in company filings and can be read and argued with.

/// How much a word says about which company a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WordClass {
    /// Corporate filler ("group", "holdings", "the"): two names differing only in these are
    /// very likely the same company.
    Weak,
    /// Countries and regions that many issuers carry ("china", "asia").
    Country,
    /// Provinces, cities and prefectures: a different place is a different company.
    Place,
    /// Business words ("chemical", "securities"): a different business is a different company.
    Business,
    /// Dictionary words many unrelated companies use as names ("union", "century", "hope"):
    /// they must agree like distinctive words but cannot make a candidate on their own.
    Common,
    /// Everything else: the words that name the company ("hikvision", "zhongtai").
    Distinctive,
}

impl WordClass {
    /// The weight a word of this class carries in the similarity score.
    pub fn weight(self) -> u32 {
        match self {
            WordClass::Weak => 1,
            WordClass::Country => 1,
            WordClass::Place | WordClass::Business => 2,
            WordClass::Common => 3,
            WordClass::Distinctive => 4,
        }
    }

    /// Label used in explanations.
    pub fn label(self) -> &'static str {
        match self {
            WordClass::Weak => "filler",
            WordClass::Country => "country",
            WordClass::Place => "place",
            WordClass::Business => "business",
            WordClass::Common => "common word",
            WordClass::Distinctive => "distinctive",
        }
    }
}

/// Classifies one normalised token.
pub fn classify(token: &str) -> WordClass {
    if WEAK.binary_search(&token).is_ok() {
        WordClass::Weak
    } else if COUNTRY.binary_search(&token).is_ok() {
        WordClass::Country
    } else if PLACE.binary_search(&token).is_ok() {
        WordClass::Place
    } else if COMMON.binary_search(&token).is_ok() {
        WordClass::Common
    } else if BUSINESS.binary_search(&token).is_ok() || token.chars().all(|c| c.is_ascii_digit()) {
        // Bare numbers ("No. 4", "841") identify nothing on their own.
        WordClass::Business
    } else {
        WordClass::Distinctive
    }
}

/// The words of a normalised name, each in its one spelling ([`canonical`]) with its class.
/// Single letters ("A", "H") are share classes or initials: too short to name anyone.
pub fn name_words(normalised: &str) -> Vec<(String, WordClass)> {
    normalised
        .split_whitespace()
        .map(|t| {
            let text = canonical(t).to_string();
            let class = if text.chars().count() == 1 {
                WordClass::Weak
            } else {
                classify(&text)
            };
            (text, class)
        })
        .collect()
}

/// One spelling for words company names write several ways ("Technologies", "Technology";
/// "Biotechnology", "Biotech"), so that a translated Chinese name and the English name agree.
pub fn canonical(token: &str) -> &str {
    match token {
        "technologies" | "tech" => "technology",
        "biotechnology" | "biological" | "biology" => "biotech",
        "chemicals" => "chemical",
        "aluminium" => "aluminum",
        "textiles" => "textile",
        "industries" | "industrial" => "industry",
        "foods" => "food",
        "electronic" => "electronics",
        "metal" => "metals",
        "material" => "materials",
        "product" => "products",
        "shoe" => "shoes",
        "holding" => "holdings",
        "communication" => "communications",
        "pharmaceuticals" | "pharma" => "pharmaceutical",
        "uygur" | "uighur" => "uyghur",
        // Romanised Chinese business words, as some English filings write them.
        "huaxue" | "huagong" => "chemical",
        "keji" => "technology",
        "jituan" => "group",
        "kuangye" => "mining",
        "nengyuan" => "energy",
        "shiye" => "industry",
        "fangzhi" => "textile",
        other => other,
    }
}

/// Corporate filler. Sorted (binary search).
const WEAK: &[&str] = &[
    "and",
    "bond",
    "bonds",
    "co",
    "company",
    "corp",
    "corporation",
    "gongsi",
    "group",
    "gufen",
    "holding",
    "holdings",
    "inc",
    "jsc",
    "limited",
    "llc",
    "ltd",
    "note",
    "notes",
    "of",
    "plc",
    "public",
    "the",
    "youxian",
    "zeren",
];

/// Countries and wide regions. Sorted.
const COUNTRY: &[&str] = &[
    "america", "asia", "china", "chinese", "global", "hk", "hong", "kong", "pacific", "prc",
    "world",
];

/// Provinces, cities and prefectures (China first, then places common in issuer names). Sorted.
const PLACE: &[&str] = &[
    "akesu",
    "aksu",
    "altay",
    "anhui",
    "baotou",
    "beijing",
    "binzhou",
    "bortala",
    "changji",
    "changzhou",
    "chengdu",
    "chongqing",
    "dalian",
    "dongguan",
    "foshan",
    "fujian",
    "fuzhou",
    "gansu",
    "guangdong",
    "guangxi",
    "guangzhou",
    "guizhou",
    "hainan",
    "hami",
    "hangzhou",
    "harbin",
    "hebei",
    "hefei",
    "heilongjiang",
    "henan",
    "hengshui",
    "hetian",
    "heze",
    "hotan",
    "hubei",
    "hunan",
    "ili",
    "inner",
    "jiangsu",
    "jiangxi",
    "jilin",
    "jinan",
    "karamay",
    "kashgar",
    "korla",
    "kunming",
    "liaoning",
    "mongolia",
    "nanchang",
    "nanjing",
    "ningbo",
    "ningxia",
    "qingdao",
    "qinghai",
    "shaanxi",
    "shandong",
    "shanghai",
    "shanxi",
    "shenzhen",
    "shihezi",
    "sichuan",
    "suzhou",
    "sz",
    "tacheng",
    "tianjin",
    "tibet",
    "turpan",
    "urumqi",
    "wuhan",
    "wuxi",
    "xiamen",
    "xian",
    "xinjiang",
    "xuar",
    "yunnan",
    "zhejiang",
    "zhengzhou",
    "zhuhai",
];

/// Dictionary words used as company names the world over. Sorted.
const COMMON: &[&str] = &[
    "advanced",
    "alliance",
    "alpha",
    "apex",
    "best",
    "bright",
    "century",
    "delta",
    "dragon",
    "eagle",
    "eternal",
    "first",
    "fortune",
    "future",
    "golden",
    "grand",
    "great",
    "happy",
    "harmony",
    "heritage",
    "hope",
    "liberty",
    "light",
    "lion",
    "lucky",
    "mega",
    "ocean",
    "omega",
    "orient",
    "oriental",
    "peace",
    "perfect",
    "phoenix",
    "pioneer",
    "premier",
    "prime",
    "rainbow",
    "royal",
    "sky",
    "star",
    "summit",
    "sun",
    "sunrise",
    "sunshine",
    "super",
    "tiger",
    "time",
    "top",
    "union",
    "united",
    "universal",
    "victory",
    "wisdom",
];

/// Business and product words. Sorted.
const BUSINESS: &[&str] = &[
    "accessories",
    "agricultural",
    "agriculture",
    "airlines",
    "aluminium",
    "aluminum",
    "animal",
    "apparel",
    "appliance",
    "appliances",
    "auto",
    "automation",
    "automobile",
    "automotive",
    "bank",
    "beverage",
    "biological",
    "biology",
    "biopharma",
    "biotech",
    "biotechnology",
    "bridge",
    "building",
    "business",
    "canned",
    "capital",
    "carbon",
    "cashmere",
    "cement",
    "center",
    "central",
    "chain",
    "chemical",
    "chemicals",
    "cloud",
    "coal",
    "color",
    "commerce",
    "commercial",
    "communication",
    "communications",
    "components",
    "computer",
    "computing",
    "construction",
    "consumer",
    "copper",
    "cotton",
    "culture",
    "dairy",
    "data",
    "development",
    "digital",
    "display",
    "dyed",
    "earth",
    "east",
    "eastern",
    "economic",
    "education",
    "electric",
    "electrical",
    "electricity",
    "electronic",
    "electronics",
    "energy",
    "engineering",
    "entertainment",
    "equipment",
    "estate",
    "fashion",
    "fertilizer",
    "film",
    "finance",
    "financial",
    "food",
    "foods",
    "fruit",
    "fund",
    "furniture",
    "garment",
    "garments",
    "gas",
    "general",
    "genomics",
    "glass",
    "gold",
    "goods",
    "government",
    "green",
    "grid",
    "health",
    "healthcare",
    "heavy",
    "herbal",
    "home",
    "hotel",
    "household",
    "husbandry",
    "hydro",
    "industrial",
    "industries",
    "industry",
    "information",
    "infrastructure",
    "innovation",
    "instrument",
    "instruments",
    "insurance",
    "integration",
    "intelligence",
    "intelligent",
    "international",
    "internet",
    "investment",
    "iron",
    "irrigation",
    "jewelry",
    "land",
    "lens",
    "linen",
    "logistics",
    "machine",
    "machinery",
    "magnesium",
    "management",
    "manufacture",
    "manufacturing",
    "marine",
    "material",
    "materials",
    "meat",
    "media",
    "medical",
    "medicine",
    "metal",
    "metals",
    "microelectronics",
    "mine",
    "mining",
    "modern",
    "motor",
    "network",
    "new",
    "nonferrous",
    "north",
    "northern",
    "nuclear",
    "oil",
    "optical",
    "paper",
    "park",
    "parts",
    "petrochemical",
    "petroleum",
    "pharma",
    "pharmaceutical",
    "pharmaceuticals",
    "photovoltaic",
    "polysilicon",
    "port",
    "power",
    "precision",
    "printing",
    "product",
    "production",
    "products",
    "properties",
    "property",
    "railway",
    "rare",
    "real",
    "resource",
    "resources",
    "retail",
    "road",
    "saving",
    "science",
    "sciences",
    "securities",
    "security",
    "seed",
    "semiconductor",
    "services",
    "shipping",
    "shoe",
    "shoes",
    "silicon",
    "silk",
    "smart",
    "software",
    "solar",
    "solutions",
    "south",
    "southern",
    "spinning",
    "sports",
    "steel",
    "sugar",
    "supply",
    "system",
    "systems",
    "technologies",
    "technology",
    "telecom",
    "telecommunication",
    "telecommunications",
    "textile",
    "textiles",
    "tomato",
    "tourism",
    "trade",
    "trading",
    "transport",
    "transportation",
    "utilities",
    "vegetable",
    "vision",
    "warehouse",
    "warehousing",
    "water",
    "west",
    "western",
    "wind",
    "wool",
    "yarn",
    "zinc",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_and_disjoint() {
        for list in [WEAK, COUNTRY, PLACE, COMMON, BUSINESS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{:?}", &list[..3]);
        }
        for w in WEAK.iter().chain(COUNTRY).chain(PLACE).chain(COMMON) {
            assert!(BUSINESS.binary_search(w).is_err(), "{w} is in two lists");
        }
    }

    #[test]
    fn classes() {
        assert_eq!(classify("zhongtai"), WordClass::Distinctive);
        assert_eq!(classify("xinjiang"), WordClass::Place);
        assert_eq!(classify("securities"), WordClass::Business);
        assert_eq!(classify("group"), WordClass::Weak);
        assert_eq!(classify("china"), WordClass::Country);
        assert_eq!(classify("841"), WordClass::Business);
        assert_eq!(classify("hope"), WordClass::Common);
    }
}
