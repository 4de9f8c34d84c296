//! Rust output of the generators: built as token trees with `quote!` (so every item the
//! generators write is Rust the compiler's own parser accepts before it reaches a file)
//! and printed by prettyplease, the layout rustfmt would give it.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

/// The file: `header` (line comments, which token trees cannot carry), then `items`
/// pretty-printed, with blank lines where rustfmt-formatted code has them: before every
/// function, impl, type and module (with its docs and attributes), and after every
/// block that another item follows.
pub fn render(header: &str, items: TokenStream) -> String {
    let file: syn::File = syn::parse2(items)
        .unwrap_or_else(|e| panic!("a generator wrote Rust that does not parse: {e}"));
    let printed = prettyplease::unparse(&file);
    let lines: Vec<&str> = printed.lines().collect();
    let mut blank_before = vec![false; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        if opens_item(line) {
            // The item starts with its docs and attributes.
            let mut start = i;
            while start > 0 && is_preamble(lines[start - 1], indent(line)) {
                start -= 1;
            }
            blank_before[start] = true;
        }
        if i > 0 && lines[i - 1].trim() == "}" && indent(lines[i - 1]) == indent(line) {
            blank_before[i] |= is_preamble(line, indent(line)) || opens_item(line);
        }
    }
    let mut out = format!("{header}\n");
    for (i, line) in lines.iter().enumerate() {
        let after_open = i == 0 || lines[i - 1].trim_end().ends_with('{');
        if blank_before[i] && !after_open && !lines[i - 1].trim().is_empty() {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A doc comment or attribute line at `indent`.
fn is_preamble(line: &str, at: usize) -> bool {
    let text = line.trim_start();
    indent(line) == at && (text.starts_with("///") || text.starts_with("#["))
}

/// The first line of a function, impl, type or module, or of a constant or a macro call
/// at the top level.
fn opens_item(line: &str) -> bool {
    let text = line.trim_start();
    let text = text.strip_prefix("pub ").unwrap_or(text);
    let text = text
        .strip_prefix("const ")
        .filter(|t| t.starts_with("fn "))
        .unwrap_or(text);
    ["fn ", "impl", "struct ", "enum ", "mod ", "trait "]
        .iter()
        .any(|start| text.starts_with(start))
        || (indent(line) == 0 && text.starts_with("crate::"))
}

/// `#[doc]` attributes that print as one `///` line per line of `text`.
pub fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {}", l.trim_end()));
    quote!(#(#[doc = #lines])*)
}

/// An identifier (a raw one where the name is a keyword).
pub fn ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name).unwrap_or_else(|_| Ident::new_raw(name, Span::call_site()))
}

/// An integer literal without a type suffix.
pub fn int(v: u64) -> Literal {
    Literal::u64_unsuffixed(v)
}

/// An integer literal in hex, without a type suffix.
pub fn hex(v: u64) -> Literal {
    format!("{v:#x}").parse().expect("a hex literal parses")
}
