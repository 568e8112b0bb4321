//! Claims read from fund names, for sweeps where no fund has filed its policy with the check:
//! a name with a term that suggests environmental, social or governance investing is treated
//! as a claim that the fund invests that way. The SEC's 2023 amendments to the fund Names Rule
//! (Rule 35d-1) treat terms such as "ESG" and "sustainable" in a fund's name as suggesting an
//! investment focus; the list below is xjscan's default reading of that kind of term, and a
//! supervisor replaces it with `--claim-terms FILE` (one term per line).
//!
//! Terms match whole words, case aside, and a term of several words matches them in a row
//! ("fossil free" matches "Fossil-Free" and "fossil free", never "free"): "Green" matches
//! "Green Bond Fund" but not "Greenwich"; "ESG" matches "ESG Leaders" but not "ESGX".

/// The default terms.
pub const DEFAULT_TERMS: &[&str] = &[
    "ESG",
    "SRI",
    "sustainable",
    "sustainability",
    "responsible",
    "socially responsible",
    "social",
    "impact",
    "ethical",
    "clean",
    "green",
    "climate",
    "fossil free",
    "low carbon",
    "net zero",
    "Paris aligned",
    "environmental",
];

/// A term list: each term as its lower-case words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms(Vec<(String, Vec<String>)>);

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Terms {
    /// Terms from their text; blank entries and `#` comments are skipped.
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> Terms {
        Terms(
            terms
                .into_iter()
                .map(str::trim)
                .filter(|t| !t.is_empty() && !t.starts_with('#'))
                .map(|t| (t.to_string(), words(t)))
                .filter(|(_, w)| !w.is_empty())
                .collect(),
        )
    }

    pub fn default_terms() -> Terms {
        Terms::new(DEFAULT_TERMS.iter().copied())
    }

    /// The terms as written.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(t, _)| t.as_str())
    }

    /// The terms a fund name carries, in the list's order.
    pub fn in_name(&self, name: &str) -> Vec<String> {
        let name = words(name);
        self.0
            .iter()
            .filter(|(_, term)| name.windows(term.len()).any(|w| w == term.as_slice()))
            .map(|(text, _)| text.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_whole_words_in_a_row() {
        let t = Terms::default_terms();
        assert_eq!(t.in_name("Alpha Emerging Markets ESG Fund"), vec!["ESG"]);
        assert_eq!(
            t.in_name("Beta Fossil-Free Clean Energy ETF"),
            vec!["clean", "fossil free"]
        );
        assert!(t.in_name("Greenwich Street Value Fund").is_empty());
        assert!(t.in_name("ESGX Opportunities").is_empty());
        assert!(t.in_name("Free Cash Flow Fund").is_empty());
        assert_eq!(
            t.in_name("Socially Responsible Equity"),
            vec!["responsible", "socially responsible"]
        );
        let own = Terms::new("# mine\nGreen\n\n".lines());
        assert_eq!(own.in_name("GREEN BOND"), vec!["Green"]);
    }
}
