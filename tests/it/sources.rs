//! The shipped reference data against the research notes it was built from
//! (`../shared/sources/entities.md`): every entity named in sections 1–6 is present, and the
//! designations per list match the notes' own counts.

use std::collections::BTreeSet;

use xjscan::reference::load_embedded;
use xjscan::resolve::normalize_name;

use crate::root;

fn entities_md() -> Option<String> {
    let path = root().join("../shared/sources/entities.md");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("{} is missing and CI is set", path.display())
        }
        Err(_) => {
            eprintln!("skipping: {} is not present", path.display());
            None
        }
    }
}

/// First cells of the table rows in sections 1–6, with their section number.
fn first_cells(md: &str) -> Vec<(u32, String)> {
    first_cells_with_subsection(md)
        .into_iter()
        .map(|(s, _, c)| (s, c))
        .collect()
}

/// Like [`first_cells`], with the subsection heading (`5a`, `5c`…) each row is under.
fn first_cells_with_subsection(md: &str) -> Vec<(u32, String, String)> {
    let mut section = 0;
    let mut subsection = String::new();
    let mut cells = Vec::new();
    for line in md.lines() {
        if let Some(rest) = line.strip_prefix("## ") {
            section = rest
                .split('.')
                .next()
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
            subsection.clear();
            continue;
        }
        if let Some(rest) = line.strip_prefix("### ") {
            subsection = rest
                .split('.')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            continue;
        }
        if !(1..=6).contains(&section)
            || !line.starts_with("| ")
            || line.starts_with("| name")
            || line.starts_with("|---")
        {
            continue;
        }
        if let Some(cell) = line.split('|').nth(1) {
            cells.push((section, subsection.clone(), cell.trim().replace('*', "")));
        }
    }
    cells
}

/// The entity names a first cell mentions, each as a list of spellings to try.
fn names_in(cell: &str) -> Vec<Vec<String>> {
    // "Not yet confirmed …: A; B" and "Also on R6 (…): A; B" list names after the colon.
    let body = match cell.split_once(": ") {
        Some((head, tail))
            if head.starts_with("Not yet confirmed") || head.starts_with("Also on R6") =>
        {
            tail
        }
        _ => cell,
    };
    // A parenthetical remark with its own `;` is commentary, not more names.
    let mut body = body.to_string();
    while let Some(open) = body.find(" (")
        && let Some(len) = body[open..].find(')')
        && body[open..open + len].contains(';')
    {
        body.replace_range(open..=open + len, "");
    }
    let mut names = Vec::new();
    for part in body.split("; ") {
        let part = part.trim().trim_start_matches("subsidiary ");
        let part = part.split(" + ").next().unwrap_or(part);
        let part = part.split(" — ").next().unwrap_or(part);
        let mut pieces: Vec<String> = Vec::new();
        for p in part.split(" → ") {
            let p = p
                .trim_start_matches("renamed ")
                .trim_start_matches("corrected to ");
            // "A Co., Ltd. and B Co., Ltd." names two companies; "X and its subordinates" one.
            match p.split_once(" and ") {
                Some((a, b)) if a.contains("Co.") && b.contains("Co.") => {
                    pieces.push(a.to_string());
                    pieces.push(b.to_string());
                }
                _ => pieces.push(p.to_string()),
            }
        }
        for p in pieces {
            for q in p.split(" / ") {
                if q.split_whitespace().count() < 2 && p.contains(" / ") {
                    continue; // "CITIC Guoan Construction / Group": the second half is a suffix.
                }
                let q = q
                    .trim()
                    .trim_end_matches(" and subsidiaries")
                    .trim_end_matches(" and Subsidiaries")
                    .trim_end_matches(" and its subordinates");
                let mut spellings = vec![q.to_string()];
                // Without a trailing or leading parenthetical: "(XPCC)", "(Xinjiang Western)".
                if let Some(i) = q.rfind(" (") {
                    spellings.push(q[..i].to_string());
                }
                if q.starts_with('(')
                    && let Some(i) = q.find(") ")
                {
                    spellings.push(q[i + 2..].to_string());
                }
                if let Some(i) = q.find(" and its ") {
                    spellings.push(q[..i].to_string());
                }
                if let Some(i) = q.find(" …") {
                    spellings.push(format!("{}…", &q[..i]));
                }
                // "Xiamen ITG 厦门国贸集团股份有限公司": English and Chinese names together.
                if let Some(i) = q.find(|c: char| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                    spellings.push(q[..i].trim().to_string());
                    spellings.push(q[i..].trim().to_string());
                }
                names.push(spellings);
            }
        }
    }
    names
}

#[test]
fn every_entity_named_in_the_research_notes_is_present() {
    let Some(md) = entities_md() else { return };
    let data = load_embedded().unwrap();
    let known: BTreeSet<String> = data
        .entities
        .iter()
        .flat_map(|e| [normalize_name(&e.name), normalize_name(&e.name_zh)])
        .chain(data.aliases.iter().map(|a| normalize_name(&a.alias)))
        .filter(|n| !n.is_empty())
        .collect();
    let found = |spelling: &str| {
        if let Some(prefix) = spelling.strip_suffix('…') {
            let p = normalize_name(prefix);
            return known.iter().any(|k| k.starts_with(&p));
        }
        known.contains(&normalize_name(spelling))
    };
    let mut missing = Vec::new();
    let mut checked = 0;
    for (section, cell) in first_cells(&md) {
        for spellings in names_in(&cell) {
            checked += 1;
            if !spellings.iter().any(|s| found(s)) {
                missing.push(format!("§{section}: {}", spellings[0]));
            }
        }
    }
    assert!(
        checked > 180,
        "only {checked} names were read from entities.md"
    );
    assert!(
        missing.is_empty(),
        "{} names from entities.md are missing:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn name_extraction() {
    assert_eq!(
        names_in("Hefei Meiling Co., Ltd. → renamed Changhong Meiling Co., Ltd.")
            .into_iter()
            .map(|s| s[0].clone())
            .collect::<Vec<_>>(),
        ["Hefei Meiling Co., Ltd.", "Changhong Meiling Co., Ltd."]
    );
    assert_eq!(
        names_in("Yili Zhuowan Garment Manufacturing Co., Ltd. and Baoding LYSZD Trade and Business Co., Ltd.").len(),
        2
    );
    assert_eq!(names_in("CITIC Guoan Construction / Group").len(), 1);
    assert_eq!(
        names_in("Zijin Mining Group Co. (and subsidiaries; a GitHub note names X — C)")[0][0],
        "Zijin Mining Group Co."
    );
    assert_eq!(
        names_in("Also on R6 (non-Xinjiang HQ): Geely Automobile; BOE; Xiamen ITG 厦门国贸集团股份有限公司").len(),
        3
    );
    assert_eq!(
        names_in("(Xinjiang Western) Hoshine Silicon Industry Co. Ltd.")[0][1],
        "Hoshine Silicon Industry Co. Ltd."
    );
}

/// Entity ids for the names in a first cell (each name resolved through its spellings).
fn entity_ids_in(
    cell: &str,
    by_name: &std::collections::BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for spellings in names_in(cell) {
        for s in &spellings {
            if let Some(found) = by_name.get(&normalize_name(s)) {
                ids.extend(found.iter().cloned());
                break;
            }
        }
    }
    ids
}

/// For each list, the entities holding a designation on it are exactly those the research
/// notes name in that list's section, plus a documented set of additions from other sources.
#[test]
fn designations_per_list_match_the_research_notes() {
    let Some(md) = entities_md() else { return };
    let data = load_embedded().unwrap();
    let mut by_name: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for e in &data.entities {
        for n in [&e.name, &e.name_zh] {
            by_name
                .entry(normalize_name(n))
                .or_default()
                .insert(e.id.clone());
        }
    }
    for a in &data.aliases {
        by_name
            .entry(normalize_name(&a.alias))
            .or_default()
            .insert(a.entity_id.clone());
    }
    by_name.remove("");
    let mut named: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for (section, subsection, cell) in first_cells_with_subsection(&md) {
        let lists: &[&str] = match (section, subsection.as_str()) {
            // Names that fed the initial UFLPA list but are not confirmed on it.
            (1, _) if cell.starts_with("Not yet confirmed") => &[],
            (1, _) => &["uflpa"],
            (2, _) => &["ofac_sdn"],
            (3, _) => &["bis_entity_list"],
            (4, _) => &["cbp_wro"],
            (5, "5a") => &["ofac_ns_cmic"],
            (5, "5c") => &["eu_ghrsr", "uk_ghr", "ca_sema"],
            (6, _) => &["research"],
            _ => &[],
        };
        for list in lists {
            named
                .entry(list)
                .or_default()
                .extend(entity_ids_in(&cell, &by_name));
        }
    }
    // Entities on a list that the list's own section does not name, and why.
    let additions: &[(&str, &[&str])] = &ADDITIONS;
    let mut problems = Vec::new();
    for (list, expected) in &named {
        let mut expected = expected.clone();
        if let Some((_, extra)) = additions.iter().find(|(l, _)| l == list) {
            expected.extend(extra.iter().map(|s| s.to_string()));
        }
        let actual: BTreeSet<String> = data
            .designations
            .iter()
            .filter(|d| d.list == *list)
            .map(|d| d.entity_id.clone())
            .collect();
        for missing in expected.difference(&actual) {
            problems.push(format!(
                "{list}: {missing} is named by the notes but has no designation"
            ));
        }
        for extra in actual.difference(&expected) {
            problems.push(format!(
                "{list}: {extra} has a designation the notes' section does not name"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Designations that come from elsewhere than the list's own section of the notes.
const ADDITIONS: [(&str, &[&str]); 5] = [
    (
        "uflpa",
        &[
            // Found in this project's own research (sources W1, W2: see mappings/README.md):
            // Ninestar's eight Zhuhai subsidiaries, which the notes count but do not name, and
            // the third Zijin subsidiary of January 2025.
            "geehy-semiconductor",
            "zhuhai-apex-microelectronics",
            "zhuhai-g-and-g-digital-technology",
            "zhuhai-ninestar-information-technology",
            "zhuhai-ninestar-management",
            "zhuhai-pantum-electronics",
            "zhuhai-pu-tech-industrial",
            "zhuhai-seine-printing-technology",
            "xinjiang-zijin-nonferrous-metals",
            // The third UFLPA pass (UF19, grade C): an initial-list entry the notes leave open.
            "yili-zhuowan-garment-manufacturing",
            // A parsed copy of FR 2025-00901's list and appendix (UG1; mappings/README.md,
            // "Search log — UFLPA"): the rest of the initial list, the Huafu subsidiaries of
            // January 2025 and cotton and agricultural traders of 2024.
            "aksu-biaoxin-fiber",
            "awati-huafu-textile",
            "hefei-bitland-information-technology",
            "hongyuan-new-materials-baotou",
            "hubei-jingtian-cotton-industry-group",
            "hubei-yinfeng-cotton",
            "hubei-yinfeng-warehousing-and-logistics",
            "huyanghe-huafu-hongsheng-cotton-industry",
            "jiangsu-yinhai-nongjiale-storage",
            "jiangsu-yinlong-warehousing-and-logistics",
            "jiangyin-lianyun",
            "jiangyin-xiefeng-cotton-and-linen",
            "jinan-haihong-international-trade",
            "jining-pengjie-trading",
            "junan-jinsheng-import-and-export",
            "ktk-group",
            "kuche-zongheng-cotton-industry",
            "kuitun-jinfu-textile",
            "lanxi-huachu-logistics",
            "lop-county-hair-product-industrial-park",
            "lop-county-no-4-vocational-skills-education-and-training-center",
            "nanjing-synergy-textiles",
            "nanyang-hongmian-logistics",
            "qingdao-weiyikang-biotechnology",
            "shanghai-jump-machinery-and-technology",
            "shaya-yinhua-cotton-industry",
            "shihezi-huafu-hongfeng-cotton-industry",
            "shihezi-huafu-hongsheng-cotton-industry",
            "shihezi-standard-fiber",
            "tanyuan-technology",
            "tianjin-dunhe-international-trade",
            "tianjin-kunyu-international",
            "weifang-alice-food",
            "wugang-zhongchang-logistics",
            "xinjiang-cotton-industry-group-jiashi-cotton-industry",
            "xinjiang-cotton-industry-group-yuepu-lake-cotton-industry",
            "xinjiang-huafu-color-spinning-group",
            "xinjiang-huafu-cotton-industry-group",
            "xinjiang-huafu-hengfeng-cotton-industry",
            "xinjiang-huafu-hongfeng-agricultural-development",
            "xinjiang-huafu-textile",
            "xinjiang-liufu-textile-industrial-park",
            "xinjiang-shengfu-cotton-industry",
            "xinjiang-tianfu-cotton-supply-chain",
            "xinjiang-tianhong-xinba-cotton-industry",
            "xinjiang-zefu-cotton",
            "zhejiang-weixin-trading",
        ],
    ),
    // The December 2026 pass on OFAC (BX1, a copy of OFAC's SDN file): GLOMAG designations of
    // 8 December 2023.
    ("ofac_sdn", &["gao-qi", "hu-lianhe"]),
    // SenseNets is named inside NetPosa's §3 row, as its subsidiary.
    // The December 2026 pass on BIS (BX4, BX5): the Entity List rule of 12 July 2021.
    (
        "bis_entity_list",
        &[
            "sensenets",
            "beijing-geling-shentong-information-technology",
            "beijing-sinonet-science-and-technology",
            "chengdu-xiwu-security-system-alliance",
            "china-academy-of-electronics-and-information-technology",
            "leon-technology",
            "shenzhen-cobber-information-technology",
            "shenzhen-huaantai-intelligent-technology",
            "suzhou-keda-technology",
            "tongfang-ria",
            "xinjiang-beidou-tongchuang-information-technology",
            "xinjiang-lianhai-chuangzhi-information-technology",
            "xinjiang-sailing-information-technology",
            "xinjiang-tangli-technology",
            // A copy of the Entity List supplement (BC1), listing date not stated.
            "xinjiang-police-college",
            // The subordinate public security bureaus of the October 2019 rule, named in a full
            // copy of the Entity List (BF1; mappings/README.md, "BIS pass BF").
            "aksu-district-public-security-bureau",
            "altay-municipality-public-security-bureau",
            "bayingolin-mongolian-autonomous-prefecture-public-security-bureau",
            "boertala-mongolian-autonomous-prefecture-public-security-bureau",
            "changji-hui-autonomous-prefecture-public-security-bureau",
            "hami-municipality-public-security-bureau",
            "hetian-prefecture-public-security-bureau",
            "kashgar-prefecture-public-security-bureau",
            "kelamayi-municipality-public-security-bureau",
            "kezilesu-kyrgyz-autonomous-prefecture-public-security-bureau",
            "shihezi-municipality-public-security-bureau",
            "tacheng-prefecture-public-security-bureau",
            "tumushuke-municipal-public-security-bureau",
            "turfan-municipality-public-security-bureau",
            "urumqi-municipal-public-security-bureau",
            "wujiaqu-municipality-public-security-bureau",
            "yili-kazakh-autonomous-prefecture-public-security-bureau",
        ],
    ),
    // Inspur's CMIC row is in the OFAC file (raw/ofac_cons_nonSDN_CMIC_extract.csv), not §5a.
    ("ofac_ns_cmic", &["inspur-group"]),
    (
        "research",
        &[
            // R6 (the Airtable list) is cited in §1 rows for these companies' Chinese names.
            "camel-group",
            "century-sunshine-group-holdings",
            "changhong-meiling",
            "chenguang-biotech",
            "tanyuan-technology",
            // Policy Brief 10 (the seed brief): Changji Esquel's losses, LONGi's detained
            // products, and Ruyi Group as influential but untargeted.
            "changji-esquel-textile",
            "longi",
            "ruyi-group",
            // Named inside other §6 rows: Tianshan Aluminum's carbon-anode subsidiary, and
            // TBEA as the listed parent of TBEA Xinjiang New Energy.
            "nanjiang-carbon-new-materials",
            "tbea",
            // §1c notes: "Also in Horizon Advisory's Base Problem" (R4).
            "xinjiang-shenhuo-coal-and-electricity",
            "xinjiang-zhonghe",
            // The research-report pass of December 2026 (RS1-RS23; mappings/README.md, "Search log —
            // research reports"): ASPI, CECC, Sheffield Hallam, Hong Kong Watch, Human Rights Watch.
            "abercrombie-and-fitch",
            "acer",
            "adidas",
            "alstom",
            "amazon",
            "anhui-huamao-group",
            "apple",
            "asus",
            "baic-motor",
            "beijing-guanghua-textile-group",
            "bmw",
            "bombardier",
            "byd",
            "campbell-soup-company",
            "canadian-solar",
            "carters",
            "catl",
            "changan-automobile",
            "cisco",
            "coca-cola-company",
            "costco",
            "crrc",
            "dell",
            "electrolux",
            "esprit",
            "fila",
            "ford",
            "gac-group",
            "gap",
            "general-electric",
            "general-motors",
            "google",
            "h-and-m",
            "haier",
            "hetian-taida-apparel",
            "hisense",
            "hitachi",
            "honda",
            "hp",
            "htc",
            "huawei",
            "japan-display",
            "jointown-pharmaceutical-group",
            "kraft-heinz-company",
            "lenovo",
            "lianfa-textiles",
            "luthai-textiles",
            "mercedes-benz",
            "microsoft",
            "mitsumi",
            "nike",
            "nintendo",
            "nio",
            "nokia",
            "panasonic",
            "puma",
            "saic-motor",
            "samsung",
            "sharp",
            "shenzhen-deren",
            "siemens",
            "skechers",
            "sony",
            "stellantis",
            "tdk",
            "tesla",
            "toshiba",
            "toyota",
            "tsinghua-tongfang",
            "volkswagen",
            "weiqiao-textiles",
            "xiaomi",
            "xinjiang-zhongtai-chemical",
            "xinjiang-zhongtai-group",
            "xpcc",
            "yili-zhuowan-garment-manufacturing",
            "zegna",
            "zhejiang-sunrise-garment-group",
        ],
    ),
];

/// §5b of the notes is prose, not a table: its names are checked here, one by one.
#[test]
fn dod_1260h_entities_are_those_of_section_5b() {
    if entities_md().is_none() {
        return;
    }
    let data = load_embedded().unwrap();
    let actual: BTreeSet<&str> = data
        .designations
        .iter()
        .filter(|d| d.list == "dod_1260h")
        .map(|d| d.entity_id.as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "hikvision",
        "zhejiang-dahua",
        "chengdu-dahua-wisdom",
        "cloudwalk",
        "megvii",
        "yitu",
        "netposa",
        "sensetime",
        "xiamen-meiya-zhongmin-electronic-technology",
        "beijing-meiya-hongshu-technology",
        // Listed by DoD as SDIC Intelligence (Xiamen), the renamed Meiya Pico (LA8).
        "xiamen-meiya-pico",
        "dji",
        // A DJI subsidiary listed in the DoD file (raw/opensanctions_us_dod_…csv).
        "shenzhen-dajiang-baiwang-technology",
        "dawning-information-industry",
        "inspur-group",
        // The December 2026 pass (mappings/README.md, "Search log — BIS, OFAC, DoD 1260H, CBP"):
        // entries of the DoD file with a sourced Xinjiang link (CETC and the IJOP platform; BGI's
        // genetic work in Xinjiang), and their DoD-listed BGI parent and subsidiaries.
        "bgi-genomics",
        "bgi-group",
        "china-electronics-technology-group",
        "forensic-genomics-international",
        "mgi-tech",
    ]
    .into_iter()
    .collect();
    assert_eq!(actual, expected);
    // Megvii's row ended on 2025-01-07, so it no longer flags anything on this list.
    let megvii = data
        .designations
        .iter()
        .find(|d| d.list == "dod_1260h" && d.entity_id == "megvii")
        .unwrap();
    assert_eq!(
        megvii.removed_on.as_ref().map(|d| d.as_str()),
        Some("2025-01-07")
    );
    assert!(!megvii.is_active());
}
