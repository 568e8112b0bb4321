//! xjscan: how much of a portfolio is tied to Xinjiang (Uyghur Region) forced labour, and on
//! what evidence.
//!
//! The pipeline has four stages, each a module that hands plain data to the next:
//!
//! 1. [`ingest`] reads holdings files into a [`model::Portfolio`], accounting for every row;
//! 2. [`resolve`] ties each distinct issuer to [`model::ReferenceData`] entities (loaded by
//!    [`reference`]), identifiers first, then normalised names, recording how;
//! 3. [`exposure`] weighs flagged positions by value, tier and list, and reconciles the totals;
//! 4. [`report`] builds one serialisable model and renders Markdown, JSON and CSV from it.
//!
//! [`scan::scan`] runs them in order. The command line lives in [`cli`], the only module that
//! knows about argument parsing.

pub mod cli;
pub mod config;
pub mod disclosure;
pub mod exposure;
pub mod fault;
pub mod fetch;
pub mod ingest;
pub mod lookthrough;
pub mod matchtable;
pub mod model;
pub mod reference;
pub mod report;
pub mod resolve;
pub mod scan;
