//! The header catalogue (`tests/headers/catalogue.csv`): real header rows from public holdings
//! exports, each with the roles its cells carry, recognised without `--columns`.

use std::collections::BTreeMap;

use xjscan::ingest::columns::{ColumnMap, Role};

/// Roles xjscan reads; the catalogue's other roles (price, cost, notional, sector…) are cells
/// that must not be taken for any of these.
fn role_of(label: &str) -> Option<Role> {
    match label {
        "value_local" => Some(Role::Value),
        other => other.parse().ok(),
    }
}

struct Row {
    id: String,
    cells: Vec<String>,
    roles: Vec<(String, String)>,
}

fn catalogue() -> Vec<Row> {
    csv::Reader::from_path(crate::root().join("tests/headers/catalogue.csv"))
        .unwrap()
        .deserialize::<BTreeMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            Row {
                id: r["id"].clone(),
                cells: r["header"]
                    .split(" | ")
                    .map(|c| c.trim().to_string())
                    .collect(),
                roles: r["roles"]
                    .split("; ")
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| p.split_once('='))
                    .map(|(role, cell)| (role.trim().to_string(), cell.trim().to_string()))
                    .collect(),
            }
        })
        .collect()
}

/// What went wrong with one row, if anything.
fn check(row: &Row) -> Vec<String> {
    let map = ColumnMap::recognise(&row.cells);
    let assigned: BTreeMap<usize, Role> = map.0.iter().map(|(r, (i, _))| (*i, *r)).collect();
    let has_base_value = row.roles.iter().any(|(r, _)| r == "value");
    let mut problems = Vec::new();
    let cell_at = |cell: &str, from: &mut usize| -> Option<usize> {
        let i = (*from..row.cells.len()).find(|&i| row.cells[i] == cell)?;
        *from = i + 1;
        Some(i)
    };
    let mut from = 0;
    for (label, cell) in &row.roles {
        let Some(i) = cell_at(cell, &mut from) else {
            problems.push(format!("label {label}=`{cell}` names no cell"));
            continue;
        };
        let got = assigned.get(&i).copied();
        match (label.as_str(), role_of(label)) {
            // A local value is the value only when no base-currency value is there.
            ("value_local", _) if has_base_value && got.is_some() => {
                problems.push(format!("`{cell}` (value_local) read as {got:?}"));
            }
            ("value_local", _) if has_base_value => {}
            // A description beside a name may be read as the name's complement or left.
            ("description", _) if got.is_none() || got == Some(Role::Name) => {}
            // A role labelled on two cells (a price's and a value's currency) goes to one.
            (_, Some(want))
                if got.is_none()
                    && row
                        .roles
                        .iter()
                        .filter(|(l, _)| role_of(l) == Some(want))
                        .count()
                        > 1
                    && map.get(want).is_some() => {}
            (_, Some(want)) if got != Some(want) => {
                problems.push(format!("`{cell}` should be {want}, read as {got:?}"));
            }
            (_, None) if got.is_some() => {
                problems.push(format!("`{cell}` ({label}) read as {got:?}"));
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn every_catalogue_row_is_read_as_labelled() {
    let rows = catalogue();
    assert!(rows.len() >= 60, "{} rows", rows.len());
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let p = check(row);
            (!p.is_empty()).then(|| format!("{}: {}", row.id, p.join("; ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} rows:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The custodian statement of issue 17: three preamble lines, then `Security Description, ISIN
/// Code, Qty, Mkt Val (USD), Ccy`; read without `--columns`, values in dollars.
#[test]
fn a_custodian_statement_is_read_without_columns() {
    let portfolio = xjscan::ingest::read_files(
        "t",
        &[crate::fixture("custodian_statement.csv")],
        &Default::default(),
    )
    .unwrap();
    let summary = &portfolio.files[0];
    assert_eq!(summary.header_line, 4);
    let roles: Vec<(&str, &str)> = summary
        .columns
        .iter()
        .map(|(r, h)| (r.as_str(), h.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("name", "Security Description"),
            ("isin", "ISIN Code"),
            ("quantity", "Qty"),
            ("value", "Mkt Val (USD)"),
            ("currency", "Ccy"),
        ]
    );
    assert_eq!(portfolio.holdings.len(), 2);
    assert_eq!(portfolio.holdings[0].value.to_string(), "5000.00");
    assert_eq!(portfolio.holdings[0].currency.as_deref(), Some("USD"));
}

/// With no currency column, the currency in the value's header is the holdings' currency, and
/// of two value columns the base-currency one is read, the report saying which was left.
#[test]
fn the_value_header_gives_the_currency_and_the_choice_is_stated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.csv");
    std::fs::write(
        &path,
        "Security,Market Value (Local),Market Value (EUR)\nHikvision,100,14\n",
    )
    .unwrap();
    let portfolio = xjscan::ingest::read_files("t", &[path], &Default::default()).unwrap();
    assert_eq!(portfolio.holdings[0].value.to_string(), "14");
    assert_eq!(portfolio.holdings[0].currency.as_deref(), Some("EUR"));
    let notes = &portfolio.files[0].notes;
    assert!(
        notes.iter().any(|n| n.starts_with(
            "market value read from column `Market Value (EUR)` (EUR), not from `Market Value (Local)` (local currency)"
        )),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(
            |n| n == "no currency column; values are in EUR, as the value column's header says"
        ),
        "{notes:?}"
    );
}
