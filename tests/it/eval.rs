//! The labelled name-matching set (`tests/eval/names.csv`, a first draft for issue 5) run
//! through the resolver: precision must stay at or above 0.99 — a wrong flag on a clean company
//! is as damaging as a miss — and the recall is printed, so each change to the matcher shows its
//! effect.

use rust_decimal::Decimal;
use xjscan::model::{Holding, HoldingIds, PositionKind, SourceLine};
use xjscan::reference::load_embedded;
use xjscan::resolve::Resolver;

use crate::root;

#[test]
fn name_matching_precision_on_the_labelled_set() {
    let data = load_embedded().unwrap();
    let resolver = Resolver::new(&data);
    let mut reader = csv::Reader::from_path(root().join("tests/eval/names.csv")).unwrap();
    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    let mut wrong = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let (name, expected) = (&record[0], &record[1]);
        let holding = Holding {
            source: SourceLine {
                file: "eval".into(),
                line: 0,
            },
            name: name.to_string(),
            description: None,
            ids: HoldingIds::default(),
            quantity: None,
            quantity_unit: None,
            kind: PositionKind::Long,
            value: Decimal::ONE,
            currency: None,
            weight_pct: None,
            asset_class: None,
        };
        let found: Vec<String> = resolver
            .resolve(&holding)
            .matches
            .into_iter()
            .map(|m| m.entity_id)
            .collect();
        match (expected.is_empty(), found.is_empty()) {
            (false, false) if found.iter().any(|f| f == expected) => tp += 1,
            (false, false) => {
                fp += 1;
                wrong.push(format!(
                    "wrong entity: {name} → {found:?}, expected {expected}"
                ));
            }
            (false, true) => fn_ += 1,
            (true, false) => {
                fp += 1;
                wrong.push(format!("false flag: {name} → {found:?}"));
            }
            (true, true) => tn += 1,
        }
    }
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fn_).max(1));
    eprintln!(
        "name matching on tests/eval/names.csv: TP {tp} FP {fp} FN {fn_} TN {tn}; precision {precision:.3}, recall {recall:.3}"
    );
    for w in &wrong {
        eprintln!("  {w}");
    }
    assert!(
        tp + fp + fn_ + tn >= 400,
        "the labelled set has fewer than 400 rows"
    );
    assert!(
        precision >= 0.99,
        "precision {precision:.3} < 0.99:\n{}",
        wrong.join("\n")
    );
}
