//! The archetype structs (`Name(pub A, pub B)`) with their `Bundle` and `DynBundle`
//! impls, and the per-archetype tables of the world: names, component sets, column ids.

use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Index;

/// The archetypes as the world's tables see them, in declaration order.
pub(super) struct Archetypes {
    /// Each archetype's name.
    pub names: Vec<String>,
    /// Each archetype's component ids, in declared order.
    pub sets: Vec<Vec<usize>>,
}

impl Archetypes {
    pub(super) fn of(model: &WorldModel) -> Self {
        Archetypes {
            names: model
                .archetypes
                .iter()
                .map(|a| a.ident.to_string())
                .collect(),
            sets: model
                .archetypes
                .iter()
                .map(|a| a.components.clone())
                .collect(),
        }
    }

    /// `ARCHETYPE_SETS`: one `Bits` per archetype.
    pub(super) fn set_exprs(&self) -> impl Iterator<Item = TokenStream> + '_ {
        self.sets
            .iter()
            .map(|set| super::components::bits(set.iter().copied()))
    }

    /// The column ids `WorldCore::new` takes: one `&[u16]` per archetype.
    pub(super) fn column_ids(&self) -> impl Iterator<Item = TokenStream> + '_ {
        self.sets.iter().map(|set| {
            let ids = set.iter().map(|&c| c as u16);
            quote!(&[#(#ids),*])
        })
    }
}

/// Per archetype: its tuple struct, `Bundle` for it and for the exact tuple of its
/// components, and `DynBundle` for it.
pub(super) fn archetype_items(model: &WorldModel) -> TokenStream {
    let rt = crate::expand::rt();
    let vis = &model.vis;
    let ident = &model.ident;
    let world_name = ident.to_string();
    let items = model.archetypes.iter().enumerate().map(|(a, arch)| {
        let name = &arch.ident;
        let tys = &arch.component_tys;
        let archetype = a as u16;
        let fields = (0..tys.len()).map(Index::from);
        let fields2 = fields.clone();
        let columns = 0..tys.len();
        let columns2 = columns.clone();
        let doc = format!("Archetype `{name}` of world `{world_name}`: its components in declared order.");
        let vars: Vec<_> = (0..tys.len()).map(|i| format_ident!("__mn_c{}", i)).collect();
        // Spanned at the archetype's name: a listed type that is not a `Component` fails
        // here on the user's token rather than on the whole attribute.
        let dyn_bundle = quote_spanned! {name.span()=>
            // SAFETY: `components` and `take` list the same fields in the same order.
            unsafe impl #rt::DynBundle for #name {
                fn components(&self, __mn_out: &mut dyn ::core::ops::FnMut(::core::any::TypeId, &'static str)) {
                    #(__mn_out(::core::any::TypeId::of::<#tys>(), <#tys as #rt::Component>::NAME);)*
                }
                fn take(self: ::std::boxed::Box<Self>, __mn_put: &mut dyn ::core::ops::FnMut(::core::any::TypeId, *const u8)) {
                    let #name(#(#vars),*) = *self;
                    #rt::DynBundle::take(::std::boxed::Box::new((#(#vars,)*)), __mn_put)
                }
            }
        };
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis struct #name(#(pub #tys),*);

            // SAFETY: writes every column of archetype `#archetype` once, in column order,
            // each with a value of the column's component type.
            unsafe impl #rt::Bundle<#ident> for #name {
                const ARCHETYPE: u16 = #archetype;
                #[inline(always)]
                unsafe fn write(self, __mn_table: &mut #rt::Table, __mn_row: usize) {
                    // SAFETY: the caller passes this archetype's table and a reserved row.
                    unsafe { #(__mn_table.write::<#tys>(#columns, __mn_row, self.#fields);)* }
                }
            }

            // SAFETY: as above, for the exact tuple of the archetype's components.
            unsafe impl #rt::Bundle<#ident> for (#(#tys,)*) {
                const ARCHETYPE: u16 = #archetype;
                #[inline(always)]
                unsafe fn write(self, __mn_table: &mut #rt::Table, __mn_row: usize) {
                    // SAFETY: the caller passes this archetype's table and a reserved row.
                    unsafe { #(__mn_table.write::<#tys>(#columns2, __mn_row, self.#fields2);)* }
                }
            }

            #dyn_bundle
        }
    });
    quote!(#(#items)*)
}
