//! Rust output of the generators: built as token trees with `quote!` (so every item the
//! generators write is Rust the compiler's own parser accepts before it reaches a file)
//! and printed by prettyplease, the layout rustfmt would give it.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

/// The file: `header` (line comments, which token trees cannot carry), then `items`
/// pretty-printed, with a blank line after each item that ends in a block, as rustfmt
/// keeps them.
pub fn render(header: &str, items: TokenStream) -> String {
    let file: syn::File = syn::parse2(items)
        .unwrap_or_else(|e| panic!("a generator wrote Rust that does not parse: {e}"));
    let printed = prettyplease::unparse(&file);
    let lines: Vec<&str> = printed.lines().collect();
    let mut out = format!("{header}\n");
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        if let Some(next) = lines.get(i + 1) {
            if line.trim() == "}" && starts_item(line, next) {
                out.push('\n');
            }
        }
    }
    out
}

/// `next` begins an item at the indentation of the block that `closing` ends.
fn starts_item(closing: &str, next: &str) -> bool {
    let indent = closing.len() - closing.trim_start().len();
    let rest = &next[indent.min(next.len())..];
    next.len() - next.trim_start().len() == indent
        && [
            "///", "#[", "pub ", "fn ", "impl", "const ", "mod ", "struct ", "enum ",
        ]
        .iter()
        .any(|start| rest.starts_with(start))
}

/// `#[doc]` attributes that print as one `///` line per line of `text`.
pub fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
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
