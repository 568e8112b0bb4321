//! Property tests of the exposure invariants over generated portfolios: every value lands in
//! exactly one bucket, tiers add up to the flagged total, weights add up to 100%, and scaling
//! every position scales every figure; and a row lost or counted twice by the bucketing (a
//! planted fault) is caught by the reconciliation.

use proptest::prelude::*;
use rust_decimal::Decimal;
use xjscan::exposure::{ExposureError, ExposureOptions, measure};
use xjscan::fault::Fault;
use xjscan::model::ReferenceData;
use xjscan::model::{Holding, HoldingIds, Portfolio, RejectedRow, SourceLine};
use xjscan::reference::load_embedded;
use xjscan::resolve::Resolver;

/// One resolver for every generated case: building the name index is the expensive part, and
/// the properties are about what it returns.
fn resolver() -> &'static Resolver<'static> {
    static RESOLVER: std::sync::OnceLock<Resolver<'static>> = std::sync::OnceLock::new();
    RESOLVER.get_or_init(|| Resolver::new(data()))
}

fn data() -> &'static ReferenceData {
    static DATA: std::sync::OnceLock<ReferenceData> = std::sync::OnceLock::new();
    DATA.get_or_init(|| load_embedded().unwrap())
}

/// Names drawn from flagged aliases, clean companies and blanks.
const NAMES: &[&str] = &[
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "XINJIANG PRODUCTION & CONSTRUCTION CORPS",
    "Hefei Meiling Co Ltd",
    "新疆中泰化学股份有限公司",
    "Zhongtai Securities",
    "Zijin Mining Group Co., Ltd.",
    "China Xinjian Group 3.80% notes due 2027",
    "Apple Inc.",
    "Samsung Electronics",
    "",
];

fn portfolio(rows: &[(usize, i64, bool)], scale: i64) -> Portfolio {
    let mut p = Portfolio {
        name: "generated".into(),
        ..Portfolio::default()
    };
    for (i, &(name, cents, rejected)) in rows.iter().enumerate() {
        let source = SourceLine {
            file: "gen.csv".into(),
            line: i as u64 + 2,
        };
        let value = Decimal::new(cents * scale, 2);
        if rejected {
            p.rejected.push(RejectedRow {
                source,
                reason: "generated".into(),
                value: (cents % 2 == 0).then_some(value),
            });
        } else {
            p.holdings.push(Holding {
                source,
                name: NAMES[name].into(),
                name_source: None,
                description: None,
                ids: HoldingIds::default(),
                quantity: None,
                quantity_unit: None,
                kind: Default::default(),
                value,
                currency: None,
                weight_pct: None,
                asset_class: None,
            });
        }
    }
    p
}

fn rows() -> impl Strategy<Value = Vec<(usize, i64, bool)>> {
    proptest::collection::vec(
        (
            0..NAMES.len(),
            -1_000_000_000i64..10_000_000_000i64,
            proptest::bool::weighted(0.1),
        ),
        1..60,
    )
}

proptest! {
    #[test]
    fn buckets_reconcile_exactly(rows in rows()) {
        let data = data();
        let p = portfolio(&rows, 1);
        let res = resolver().resolve_all(&p);
        let e = measure(&p, &res, data, &ExposureOptions::default()).unwrap();
        let r = &e.reconciliation;
        let holdings_sum: Decimal = p.holdings.iter().map(|h| h.value).sum();
        let rejected_sum: Decimal = p.rejected.iter().filter_map(|r| r.value).sum();
        prop_assert!(r.balanced);
        prop_assert_eq!(r.flagged.value + r.clear.value + r.unresolved.value, holdings_sum);
        prop_assert_eq!(r.input.value, holdings_sum + rejected_sum);
        prop_assert_eq!(r.input.rows as usize, rows.len());
        let tiers: Decimal = e.by_tier.iter().map(|t| t.value).sum();
        prop_assert_eq!(tiers, e.flagged_value);
        for groups in [&e.by_asset_class, &e.by_sector, &e.by_country] {
            let sum: Decimal = groups.iter().map(|g| g.value).sum();
            prop_assert_eq!(sum, e.flagged_value);
        }
        prop_assert_eq!(e.pro_rata.value + e.pro_rata.unknown.value, e.flagged_value);
        let positions: u64 = e.by_tier.iter().map(|t| t.positions).sum();
        prop_assert_eq!(positions, r.flagged.rows);
        // Weights are rounded to 4 places each, so they add up to 100 within n × 0.00005.
        if !r.portfolio_total.is_zero() {
            let weights: Decimal = e.positions.iter().map(|p| p.weight_pct).sum();
            let tolerance = Decimal::new(5, 5) * Decimal::from(e.positions.len());
            prop_assert!((weights - Decimal::ONE_HUNDRED).abs() <= tolerance, "{}", weights);
        }
    }

    /// The reconciliation compares the buckets with a total taken from the rows on their own:
    /// planting a lost or doubled row in the bucketing makes it fail, whatever the portfolio.
    #[test]
    fn a_lost_or_doubled_row_never_balances(rows in rows(), double in any::<bool>()) {
        let data = data();
        let p = portfolio(&rows, 1);
        prop_assume!(!p.holdings.is_empty());
        let res = resolver().resolve_all(&p);
        let fault = if double { Fault::DoubleRow } else { Fault::DropRow };
        let options = ExposureOptions { fault, ..ExposureOptions::default() };
        let err = measure(&p, &res, data, &options).unwrap_err();
        let rows_read = rows.len() as u64;
        let rows_bucketed = if double { rows_read + 1 } else { rows_read - 1 };
        match err {
            ExposureError::Unbalanced { input_rows, bucket_rows, .. } => {
                prop_assert_eq!(input_rows, rows_read);
                prop_assert_eq!(bucket_rows, rows_bucketed);
            }
            other => prop_assert!(false, "unexpected error: {}", other),
        }
        // Resolutions for fewer rows than were read (a stage dropping rows) is caught too.
        let short = &res[..res.len() - 1];
        let dropped = measure(&p, short, data, &ExposureOptions::default());
        let caught = matches!(dropped, Err(ExposureError::Unbalanced { .. }));
        prop_assert!(caught, "resolutions for fewer rows than read must not balance");
    }

    #[test]
    fn scaling_positions_scales_every_figure(rows in rows(), k in 2i64..1000) {
        let data = data();
        let base = portfolio(&rows, 1);
        let scaled = portfolio(&rows, k);
        let run = |p: &Portfolio| {
            let res = resolver().resolve_all(p);
            measure(p, &res, data, &ExposureOptions::default()).unwrap()
        };
        let (a, b) = (run(&base), run(&scaled));
        let k = Decimal::from(k);
        prop_assert_eq!(a.flagged_value * k, b.flagged_value);
        prop_assert_eq!(a.reconciliation.portfolio_total * k, b.reconciliation.portfolio_total);
        prop_assert_eq!(a.reconciliation.input.value * k, b.reconciliation.input.value);
        for (x, y) in a.by_entity.iter().zip(&b.by_entity) {
            prop_assert_eq!(&x.entity_id, &y.entity_id);
            prop_assert_eq!(x.value * k, y.value);
            prop_assert_eq!(x.weight_pct, y.weight_pct);
        }
        for (x, y) in a.by_tier.iter().zip(&b.by_tier) {
            prop_assert_eq!(x.value * k, y.value);
        }
        for (xs, ys) in [
            (&a.by_asset_class, &b.by_asset_class),
            (&a.by_sector, &b.by_sector),
            (&a.by_country, &b.by_country),
        ] {
            prop_assert_eq!(xs.len(), ys.len());
            for (x, y) in xs.iter().zip(ys) {
                prop_assert_eq!(&x.key, &y.key);
                prop_assert_eq!(x.value * k, y.value);
            }
        }
        prop_assert_eq!(a.pro_rata.value * k, b.pro_rata.value);
        prop_assert_eq!(a.pro_rata.unknown.value * k, b.pro_rata.unknown.value);
        prop_assert_eq!(a.xpcc_debt.value * k, b.xpcc_debt.value);
        prop_assert_eq!(a.coverage.resolved.value * k, b.coverage.resolved.value);
        prop_assert_eq!(a.flagged_pct, b.flagged_pct);
    }
}

/// Holding names from the labelled set, so the order-independence property exercises every
/// matching path (identifiers aside): exact, pinyin, similar, review, Chinese cores.
fn labelled_names() -> Vec<String> {
    let text = std::fs::read_to_string(crate::root().join("tests/eval/names.csv")).unwrap();
    xjscan::resolve::eval::read_set("names.csv", &text)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A holding's resolution depends on that holding alone: not on the order of the rows, not
    /// on which other rows are in the portfolio, and not on repeats (the per-issuer cache).
    #[test]
    fn resolution_does_not_depend_on_order_or_other_rows(
        picks in proptest::collection::vec(0usize..10_000, 1..60),
        seed in any::<u64>(),
    ) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let names = labelled_names();
        let holding = |name: &str| Holding {
            source: SourceLine { file: "p.csv".into(), line: 2 },
            name: name.to_string(),
            name_source: None,
            description: None,
            ids: HoldingIds::default(),
            quantity: None,
            quantity_unit: None,
            kind: Default::default(),
            value: Decimal::ONE,
            currency: None,
            weight_pct: None,
            asset_class: None,
        };
        let chosen: Vec<&str> = picks.iter().map(|i| names[i % names.len()].as_str()).collect();
        let mut shuffled = chosen.clone();
        shuffled.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
        let resolve = |list: &[&str]| {
            let p = Portfolio {
                holdings: list.iter().map(|n| holding(n)).collect(),
                ..Portfolio::default()
            };
            resolver().resolve_all(&p)
        };
        let (in_order, reordered) = (resolve(&chosen), resolve(&shuffled));
        for (name, r) in chosen.iter().zip(&in_order) {
            let alone = &resolver().resolve(&holding(name));
            prop_assert_eq!(&**r, alone, "{}", name);
            let i = shuffled.iter().position(|n| n == name).unwrap();
            prop_assert_eq!(&*reordered[i], alone, "{}", name);
        }
    }
}
