//! `#[system]`: rewrites a plain `for` loop over one of the system's queries into a call
//! of the query iterator's `fold`, which walks the matched tables with one inner loop per
//! table.
//!
//! Why: once `next()` is inlined into a `for` loop, the row loop is the outer loop and the
//! change of table (which calls into the query) the inner one; LLVM vectorises only
//! innermost loops without calls, so a `for` loop over a query matching several tables
//! runs scalar (about 5x the instructions per row of `for_each`), whatever `next()` does.
//! `fold` has the row loop innermost, per table.
//!
//! Which loops: `for PAT in q.iter()` / `q.iter_mut()` / `&q` / `&mut q` where `q` names
//! one of the system's `Query` parameters, unlabeled, whose body cannot leave the loop
//! or the function early: no `break` or `continue` aimed at it, no `return`, `?`,
//! `.await` or `yield` (those inside a closure, an async block or a nested item belong
//! to it and do not count), no labeled `break`/`continue` at all, and no macro call
//! other than a few std macros that cannot expand to the caller's control flow
//! ([`TRANSPARENT_MACROS`]), whose argument tokens hold none of those words either.
//! Every other loop is left as written. The rewrite is
//!
//! ```text
//! { let ((),) = Iterator::fold(IntoIterator::into_iter(EXPR), ((),), #[inline(always)] |((),), PAT| -> ((),) { (BODY,) }); }
//! ```
//!
//! The closure is `#[inline(always)]`: the body of a `for` loop is compiled in place, and
//! so must the closure be (LLVM left a large body, one that sends events, out of line,
//! and the row loop then paid a call per row).
//! `EXPR` is evaluated first and lives to the end of the statement, as in `for`; the
//! value is `()`, as `for`'s; the body must be `()`, as a `for` body must. The closure
//! returns `((),)` and not `()` so that a `return;` the checks missed (a user macro
//! shadowing `println!`) is a type error instead of a silent `continue`; a missed
//! `break`/`continue` is already an error in a closure, and a missed `?` or `.await`
//! too. The user's tokens keep their spans, so errors in the body point at them.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident};

/// Std macros whose expansion holds no control flow of the caller except what their
/// arguments hold (the arguments are checked token by token).
pub const TRANSPARENT_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "matches",
    "panic",
    "print",
    "println",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Rewrites the eligible `for` loops of `block` (see the module docs). `queries`: the
/// names of the system's `Query` parameters.
pub fn rewrite_query_loops(block: &mut syn::Block, queries: &[Ident]) {
    if queries.is_empty() {
        return;
    }
    Rewriter { queries }.visit_block_mut(block);
}

struct Rewriter<'a> {
    queries: &'a [Ident],
}

impl VisitMut for Rewriter<'_> {
    // A nested `fn`/`impl`/`mod` is not the system's body: its `q` is another `q`.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        // Innermost loops first: a rewritten inner loop is a closure, which owns its
        // control flow, so the outer loop's check sees through it.
        syn::visit_mut::visit_expr_mut(self, expr);
        if let Expr::ForLoop(for_loop) = expr {
            if self.eligible(for_loop) {
                *expr = fold_call(for_loop);
            }
        }
    }
}

impl Rewriter<'_> {
    fn eligible(&self, for_loop: &syn::ExprForLoop) -> bool {
        for_loop.label.is_none()
            && self.iterates_a_query(&for_loop.expr)
            && body_keeps_control_flow(&for_loop.body)
    }

    /// `q.iter()`, `q.iter_mut()`, `&q`, `&mut q` with `q` a query parameter.
    fn iterates_a_query(&self, expr: &Expr) -> bool {
        let receiver = match expr {
            Expr::MethodCall(call)
                if call.args.is_empty()
                    && call.turbofish.is_none()
                    && (call.method == "iter" || call.method == "iter_mut") =>
            {
                &*call.receiver
            }
            Expr::Reference(reference) => &*reference.expr,
            _ => return false,
        };
        match receiver {
            Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => path
                .path
                .get_ident()
                .is_some_and(|ident| self.queries.contains(ident)),
            _ => false,
        }
    }
}

/// The loop as a `fold` call (see the module docs), in a block so its value is `()`.
fn fold_call(for_loop: &syn::ExprForLoop) -> Expr {
    let span = for_loop.for_token.span();
    // The scaffolding resolves at the call site (lints see it as macro output) but is
    // reported at the `for` keyword.
    let at = Span::call_site().located_at(span);
    let attrs = &for_loop.attrs;
    let iter = &for_loop.expr;
    let body = &for_loop.body;
    // A closure parameter cannot be a top-level or-pattern: parenthesise it.
    let pat = match &*for_loop.pat {
        syn::Pat::Or(_) => {
            let pat = &for_loop.pat;
            quote_spanned!(at=> (#pat))
        }
        pat => quote_spanned!(at=> #pat),
    };
    syn::parse_quote_spanned! {at=>
        #(#attrs)*
        {
            let ((),) = ::core::iter::Iterator::fold(
                ::core::iter::IntoIterator::into_iter(#iter),
                ((),),
                #[inline(always)]
                |((),), #pat| -> ((),) { (#body,) },
            );
        }
    }
}

/// Whether `body`, moved into a closure, does what it does in the loop: nothing in it
/// leaves the loop iteration other than by finishing it (or panicking).
fn body_keeps_control_flow(body: &syn::Block) -> bool {
    let mut check = ControlFlowCheck {
        loop_depth: 0,
        escapes: false,
    };
    // The crate enables syn's `visit-mut` only: the check walks a copy.
    check.visit_block_mut(&mut body.clone());
    !check.escapes
}

/// Looks for anything in the loop body that aims at the loop or the function.
struct ControlFlowCheck {
    /// Loops entered inside the body (an unlabeled `break` in one targets that loop).
    loop_depth: usize,
    escapes: bool,
}

impl ControlFlowCheck {
    fn in_nested_loop(&mut self, visit: impl FnOnce(&mut Self)) {
        self.loop_depth += 1;
        visit(self);
        self.loop_depth -= 1;
    }
}

impl VisitMut for ControlFlowCheck {
    // These own their control flow.
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_expr_async_mut(&mut self, _: &mut syn::ExprAsync) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_return_mut(&mut self, _: &mut syn::ExprReturn) {
        self.escapes = true;
    }
    fn visit_expr_try_mut(&mut self, _: &mut syn::ExprTry) {
        self.escapes = true;
    }
    fn visit_expr_await_mut(&mut self, _: &mut syn::ExprAwait) {
        self.escapes = true;
    }
    fn visit_expr_yield_mut(&mut self, _: &mut syn::ExprYield) {
        self.escapes = true;
    }
    fn visit_expr_break_mut(&mut self, b: &mut syn::ExprBreak) {
        if b.label.is_some() || self.loop_depth == 0 {
            self.escapes = true;
        }
        syn::visit_mut::visit_expr_break_mut(self, b);
    }
    fn visit_expr_continue_mut(&mut self, c: &mut syn::ExprContinue) {
        if c.label.is_some() || self.loop_depth == 0 {
            self.escapes = true;
        }
    }
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        // Tokens syn could not classify (`become`, unstable syntax): anything.
        if let Expr::Verbatim(_) = e {
            self.escapes = true;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    // A nested loop's header runs in the enclosing loop; its body in the nested one.
    fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_pat_mut(&mut f.pat);
        self.visit_expr_mut(&mut f.expr);
        self.in_nested_loop(|this| this.visit_block_mut(&mut f.body));
    }
    fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
        self.visit_expr_mut(&mut w.cond);
        self.in_nested_loop(|this| this.visit_block_mut(&mut w.body));
    }
    fn visit_expr_loop_mut(&mut self, l: &mut syn::ExprLoop) {
        self.in_nested_loop(|this| this.visit_block_mut(&mut l.body));
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if !is_transparent_macro(&mac.path) || tokens_hold_control_flow(mac.tokens.clone()) {
            self.escapes = true;
        }
    }
}

/// `name!`, `std::name!`, `core::name!`, `alloc::name!` (with or without a leading `::`)
/// for a name of [`TRANSPARENT_MACROS`].
fn is_transparent_macro(path: &syn::Path) -> bool {
    let segments: Vec<_> = path.segments.iter().collect();
    if segments.iter().any(|s| !s.arguments.is_none()) {
        return false;
    }
    let name = match segments[..] {
        [name] if path.leading_colon.is_none() => name,
        [krate, name] if ["std", "core", "alloc"].iter().any(|k| krate.ident == k) => name,
        _ => return false,
    };
    TRANSPARENT_MACROS.iter().any(|m| name.ident == m)
}

/// Whether a macro's argument tokens hold a word or `?` that could leave the loop
/// (conservative: one inside a closure counts too).
fn tokens_hold_control_flow(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ["return", "break", "continue", "await", "yield", "become"]
            .iter()
            .any(|word| ident == word),
        TokenTree::Punct(punct) => punct.as_char() == '?',
        TokenTree::Group(group) => tokens_hold_control_flow(group.stream()),
        TokenTree::Literal(_) => false,
    })
}

#[cfg(test)]
#[path = "system_loops_tests.rs"]
mod tests;
