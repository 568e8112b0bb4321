//! `xjscan eval`: run a labelled set of holding names through the resolver and print precision,
//! recall, F1 and every miss; optionally fail below given floors (CI does).

use anyhow::{Context, anyhow};

use super::args::EvalArgs;
use super::{Failure, Outcome};
use crate::resolve::{Resolver, eval};

pub fn run(args: EvalArgs) -> Result<Outcome, Failure> {
    let data = super::reference_choice(args.mappings, args.shipped_data)?
        .load()
        .map_err(Failure::input)?;
    let label = crate::ingest::display_path(&args.set);
    let text = std::fs::read_to_string(&args.set)
        .with_context(|| format!("cannot read labelled set {label}"))
        .map_err(Failure::input)?;
    let rows = eval::read_set(&label, &text).map_err(Failure::input)?;
    let resolver = Resolver::new(&data);
    let result = eval::evaluate(&resolver, &rows);
    super::print_stdout(&result.render(&label))?;
    let mut below = Vec::new();
    if let Some(min) = args.min_precision
        && result.precision() < min
    {
        below.push(format!(
            "precision {:.3} is below {min}",
            result.precision()
        ));
    }
    if let Some(min) = args.min_recall
        && result.recall() < min
    {
        below.push(format!("recall {:.3} is below {min}", result.recall()));
    }
    if below.is_empty() {
        Ok(Outcome::Success)
    } else {
        Err(Failure {
            code: 3,
            error: anyhow!(below.join("; ")),
        })
    }
}
