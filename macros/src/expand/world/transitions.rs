//! Archetype transitions: the `ADD`/`REMOVE` tables (which archetype an entity moves to
//! when it gains or loses a component) and the typed column movers of each transition.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `ADD[a * C + c]` and `REMOVE[a * C + c]`: the archetype with `a`'s set plus/minus `c`
/// (`u16::MAX` where there is none, or where `a` already has/lacks `c`).
pub(super) struct Transitions {
    pub add: Vec<u16>,
    pub remove: Vec<u16>,
}

impl Transitions {
    /// The tables of the archetypes `sets` (component ids) over `components` components.
    pub(super) fn of(sets: &[Vec<usize>], components: usize) -> Self {
        let sorted: Vec<Vec<usize>> = sets
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.sort_unstable();
                s
            })
            .collect();
        let find = |set: &Vec<usize>| {
            sorted
                .iter()
                .position(|s| s == set)
                .map_or(u16::MAX, |a| a as u16)
        };
        let mut add = Vec::with_capacity(sets.len() * components);
        let mut remove = Vec::with_capacity(sets.len() * components);
        for set in &sorted {
            for c in 0..components {
                if set.contains(&c) {
                    add.push(u16::MAX);
                    let less: Vec<usize> = set.iter().copied().filter(|&x| x != c).collect();
                    remove.push(find(&less));
                } else {
                    let mut more = set.clone();
                    more.push(c);
                    more.sort_unstable();
                    add.push(find(&more));
                    remove.push(u16::MAX);
                }
            }
        }
        Transitions { add, remove }
    }
}

/// The typed column movers of a world and the `WorldDef` methods that find them.
pub(super) struct Movers {
    /// One `unsafe fn` per existing transition (source archetype, destination archetype).
    pub functions: Vec<TokenStream>,
    /// `WorldDef::add_transition`, a `match` over the existing insert transitions.
    pub add_transition: TokenStream,
    /// `WorldDef::remove_transition`, likewise for removes.
    pub remove_transition: TokenStream,
}

/// For every transition of `transitions` between the archetypes `sets` (only those that exist: a world of 32
/// archetypes and 64 components typically has a handful), a mover that copies each column
/// as its concrete type (`storage::move_value`), or only fills the hole of the removed one
/// (`storage::fill_hole`); plus the `match`es that map (archetype, component) to the
/// destination and its mover. The movers are `#[inline]` so that a world codegens only the
/// ones its `insert::<T>`/`remove::<T>` calls reach.
pub(super) fn movers(
    sets: &[Vec<usize>],
    transitions: &Transitions,
    component_tys: &[&syn::Type],
) -> Movers {
    let rt = crate::expand::rt();
    let components = component_tys.len();
    let mut functions = Vec::new();
    let arms = |table: &[u16], functions: &mut Vec<TokenStream>| {
        let mut arms = Vec::new();
        for (a, set) in sets.iter().enumerate() {
            for c in 0..components {
                let to = table[a * components + c];
                if to == u16::MAX {
                    continue;
                }
                let name = format_ident!("__mn_move_{}_{}", a, to);
                let dst = &sets[to as usize];
                let columns = set.iter().map(|&id| {
                    let ty = component_tys[id];
                    if dst.contains(&id) {
                        quote!(#rt::storage::move_value::<#ty>(*__mn_src.add(#id), *__mn_dst.add(#id), __mn_row, __mn_last, __mn_new_row);)
                    } else {
                        quote!(#rt::storage::fill_hole::<#ty>(*__mn_src.add(#id), __mn_row, __mn_last);)
                    }
                });
                functions.push(quote! {
                    #[doc(hidden)]
                    #[inline]
                    #[allow(clippy::missing_safety_doc)]
                    /// Moves a row from archetype `#a` to archetype `#to` (see `MoveColumns`).
                    unsafe fn #name(
                        __mn_src: *const *mut u8,
                        __mn_dst: *const *mut u8,
                        __mn_row: usize,
                        __mn_last: usize,
                        __mn_new_row: usize,
                    ) {
                        // SAFETY: `MoveColumns`'s contract: `__mn_src`/`__mn_dst` are the
                        // pointer rows of these two archetypes, indexed by component id
                        // (each id below is a column of the source, and of the destination
                        // where moved), with the row conditions the helpers require.
                        unsafe { #(#columns)* }
                    }
                });
                let (a, c) = (a as u16, c as u16);
                arms.push(quote!((#a, #c) => ::core::option::Option::Some((#to, Self::#name as #rt::storage::MoveColumns)),));
            }
        }
        arms
    };
    let add_arms = arms(&transitions.add, &mut functions);
    let remove_arms = arms(&transitions.remove, &mut functions);
    let method = |name: TokenStream, arms: Vec<TokenStream>| {
        quote! {
            #[inline(always)]
            fn #name(__mn_a: u16, __mn_c: u16) -> ::core::option::Option<(u16, #rt::storage::MoveColumns)> {
                match (__mn_a, __mn_c) {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    };
    Movers {
        functions,
        add_transition: method(quote!(add_transition), add_arms),
        remove_transition: method(quote!(remove_transition), remove_arms),
    }
}
