//! The `.sop` language: grammar, typed AST and parser.
//!
//! [`parse_file`] turns text into an [`ast::File`] plus diagnostics. It never
//! fails as a whole and never panics: each broken top-level item gets one
//! diagnostic and parsing continues with the next item.

// pest_derive without its `std` feature refers to `::alloc`.
extern crate alloc;

pub mod ast;
mod parser;

pub use parser::{MAX_EXPR_OPERATORS, MAX_NESTING, parse_expr, parse_file};
