//! Snapshots of every world (`snapshot`/`restore`, callable when every component and
//! resource is `Clone`) and, with the `serde` key, `save`/`load`.
//!
//! A world's state is a `WorldData` of nested tuples (serde and `Clone` stop at 12 and 16
//! elements: longer lists nest, see [`nest`]): one `TableData` per archetype (row
//! owners, then one `Vec` per column in declared order), one per sparse component, and
//! the resources. `snapshot` clones the columns as whole slices (and keeps of the entity
//! index only what the row owners do not say: `SnapshotIndex`), `save` serialises them
//! borrowed, and both `restore` and `load` rebuild the world through the generated
//! `__mn_fill`, which hands the data to the runtime's checking fill functions.

use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The longest tuple written flat; longer lists nest their tail in the last element.
const FLAT: usize = 12;

/// `items` as a tuple (a type, an expression or a pattern), nested so that no tuple has
/// more than [`FLAT`] elements.
fn nest(items: &[TokenStream]) -> TokenStream {
    if items.len() <= FLAT {
        return quote!((#(#items,)*));
    }
    let (head, tail) = items.split_at(FLAT - 1);
    let tail = nest(tail);
    quote!((#(#head,)* #tail,))
}

/// The `impl` block and items of snapshots and, with `serde`, save and load.
pub fn save(model: &WorldModel) -> TokenStream {
    let rt = super::rt();
    let ident = &model.ident;
    let vec = quote!(::std::vec::Vec);
    let entity = quote!(#rt::Entity);
    let snap = quote!(#rt::snapshot);

    // ---- the data type ----
    let table_tys: Vec<TokenStream> = model
        .archetypes
        .iter()
        .map(|a| {
            let columns: Vec<TokenStream> =
                a.component_tys.iter().map(|ty| quote!(#vec<#ty>)).collect();
            let columns = nest(&columns);
            quote!(#snap::TableData<#vec<#entity>, #columns>)
        })
        .collect();
    let sparse_tys: Vec<&syn::Type> = model
        .sparse
        .iter()
        .map(|&c| &model.components[c].ty)
        .collect();
    let sparse_data_tys: Vec<TokenStream> = sparse_tys
        .iter()
        .map(|ty| quote!(#snap::TableData<#vec<#entity>, #vec<#ty>>))
        .collect();
    let resource_tys: Vec<&syn::Type> = model.resources.iter().map(|r| &r.ty).collect();
    let resource_tys_tokens: Vec<TokenStream> = resource_tys.iter().map(|t| quote!(#t)).collect();
    let (tables_ty, sparse_ty, resources_ty) = (
        nest(&table_tys),
        nest(&sparse_data_tys),
        nest(&resource_tys_tokens),
    );
    // A save's data (every slot's generation) and a snapshot's (the live slots'
    // generations are their row owners').
    let data_ty = quote!(#snap::WorldData<#tables_ty, #sparse_ty, #resources_ty>);
    let held_ty =
        quote!(#snap::WorldData<#tables_ty, #sparse_ty, #resources_ty, #snap::SnapshotIndex>);

    // ---- `__mn_fill` ----
    let table_vars: Vec<_> = (0..model.archetypes.len())
        .map(|a| format_ident!("__mn_t{}", a))
        .collect();
    let sparse_vars: Vec<_> = (0..sparse_tys.len())
        .map(|s| format_ident!("__mn_s{}", s))
        .collect();
    let resource_vars: Vec<_> = (0..resource_tys.len())
        .map(|r| format_ident!("__mn_r{}", r))
        .collect();
    let as_tokens = |v: &[syn::Ident]| v.iter().map(|i| quote!(#i)).collect::<Vec<_>>();
    let tables_pat = nest(&as_tokens(&table_vars));
    let sparse_pat = nest(&as_tokens(&sparse_vars));
    let resources_pat = nest(&as_tokens(&resource_vars));
    let fill_tables = model.archetypes.iter().zip(&table_vars).map(|(a, var)| {
        let tys = &a.component_tys;
        let columns: Vec<_> = (0..tys.len())
            .map(|i| format_ident!("__mn_c{}", i))
            .collect();
        let columns_pat = nest(&as_tokens(&columns));
        quote! {
            {
                let #snap::TableData { entities: __mn_rows, columns: #columns_pat } = #var;
                #snap::fill_table::<Self, (#(#tys,)*)>(
                    &mut __mn_refill,
                    __mn_rows,
                    &mut [#(#snap::ColumnValues::<Self>::new::<#tys>(#columns)),*],
                )?;
            }
        }
    });
    let fill_sparse = sparse_tys
        .iter()
        .zip(&sparse_vars)
        .map(|(ty, var)| quote!(#snap::fill_sparse::<Self, #ty>(&mut __mn_refill, #var)?;));
    let set_resources = resource_tys
        .iter()
        .zip(&resource_vars)
        .map(|(ty, var)| quote!(*#rt::world::resource_mut::<Self, #ty>(self) = #var;));

    // ---- `snapshot` / `restore` ----
    let clone_bounds = model
        .components
        .iter()
        .map(|c| &c.ty)
        .chain(resource_tys.iter().copied())
        .map(|ty| quote_spanned!(ty.span()=> for<'__mn> #ty: ::core::clone::Clone));
    let clone_bounds = quote!(#(#clone_bounds,)*);
    let view = |owned: bool| {
        let copy = if owned {
            quote!(.to_vec())
        } else {
            TokenStream::new()
        };
        // A column's values: copied for a snapshot, borrowed for a save (written in
        // chunks in the binary form: `save::SavedColumn`).
        let values = |column: TokenStream| {
            if owned {
                quote!(#column.to_vec())
            } else {
                quote!(#rt::save::SavedColumn(#column))
            }
        };
        let tables: Vec<TokenStream> = model
            .archetypes
            .iter()
            .enumerate()
            .map(|(a, arch)| {
                let columns: Vec<TokenStream> = arch
                    .component_tys
                    .iter()
                    .map(|ty| values(quote!(#snap::column::<Self, #ty>(self, #a))))
                    .collect();
                let columns = nest(&columns);
                quote!(#snap::TableData { entities: #snap::table_entities(self, #a)#copy, columns: #columns })
            })
            .collect();
        let sparse: Vec<TokenStream> = sparse_tys
            .iter()
            .map(|ty| {
                let sparse_values = values(quote!(#snap::sparse_values::<Self, #ty>(self)));
                quote!(#snap::TableData {
                    entities: #snap::sparse_entities::<Self, #ty>(self)#copy,
                    columns: #sparse_values,
                })
            })
            .collect();
        let resources: Vec<TokenStream> = resource_tys
            .iter()
            .map(|ty| {
                if owned {
                    quote!(::core::clone::Clone::clone(#rt::world::resource::<Self, #ty>(self)))
                } else {
                    quote!(#rt::world::resource::<Self, #ty>(self))
                }
            })
            .collect();
        let (tables, sparse, resources) = (nest(&tables), nest(&sparse), nest(&resources));
        let entities = if owned {
            quote!(#snap::snapshot_index(self))
        } else {
            quote!(#snap::entity_slots(self))
        };
        quote!(#snap::WorldData {
            entities: #entities,
            clock: #snap::clock(self),
            tables: #tables,
            sparse: #sparse,
            resources: #resources,
        })
    };
    let owned_view = view(true);

    let serde_items = if model.serde.is_some() {
        serde_items(model, &view(false))
    } else {
        TokenStream::new()
    };

    quote! {
        impl #snap::SnapshotData for #ident {
            type Data = #data_ty;
            type Held = #held_ty;
        }

        impl #ident {
            /// Rebuilds the world from `data` (a snapshot's or a load's), checking it.
            #[doc(hidden)]
            #[allow(clippy::let_unit_value, unused_variables, unused_mut)]
            fn __mn_fill<__MnE: #snap::SavedIndex>(
                &mut self,
                __mn_data: #snap::WorldData<#tables_ty, #sparse_ty, #resources_ty, __MnE>,
            ) -> ::core::result::Result<(), ::std::string::String> {
                let #snap::WorldData {
                    entities: __mn_entities,
                    clock: __mn_clock,
                    tables: #tables_pat,
                    sparse: #sparse_pat,
                    resources: #resources_pat,
                } = __mn_data;
                // The world gets its storage back when `__mn_refill` is consumed by
                // `finish` or dropped (an error or a panic on the way).
                let mut __mn_refill = #snap::reset(self, &__mn_entities, &__mn_clock)?;
                #(#fill_tables)*
                #(#fill_sparse)*
                #snap::finish(__mn_refill)?;
                #(#set_resources)*
                ::core::result::Result::Ok(())
            }

            /// A copy of the world's state (entities with their generations and the free
            /// list, every component, the resources, the clock and the frame count), for
            /// [`restore`](Self::restore). Callable when every component and resource is
            /// `Clone`; columns are cloned as whole slices (a bulk copy for `Copy` types).
            /// Events in flight and systems' `Local` state are not part of it.
            pub fn snapshot(&self) -> #rt::Snapshot<Self>
            where
                #clone_bounds
            {
                #rt::Snapshot::__from_data(#owned_view)
            }

            /// Puts the world back in the state of `snapshot`: later ticks and spawns run
            /// as they did after the snapshot was taken. Callable when every component
            /// and resource is `Clone`.
            pub fn restore(&mut self, snapshot: &#rt::Snapshot<Self>)
            where
                #clone_bounds
            {
                let __mn_data = ::core::clone::Clone::clone(snapshot.__data());
                if let ::core::result::Result::Err(__mn_error) = self.__mn_fill(__mn_data) {
                    ::core::panic!("a snapshot of this world did not restore: {}", __mn_error);
                }
            }
        }

        #serde_items
    }
}

/// `save`, `load`, the layout constant and the compile-time `Serialize` checks.
fn serde_items(model: &WorldModel, borrowed_view: &TokenStream) -> TokenStream {
    let rt = super::rt();
    let ident = &model.ident;
    let world_name = ident.to_string();
    let save = quote!(#rt::save);
    let archetypes = model.archetypes.iter().map(|a| {
        let name = a.ident.to_string();
        let tys = &a.component_tys;
        quote!((#name, &[#(<#tys as #rt::Component>::NAME),*]))
    });
    let sparse = model.sparse.iter().map(|&c| {
        let ty = &model.components[c].ty;
        quote!(<#ty as #rt::Component>::NAME)
    });
    let runtime_prefix = rt.to_string().replace(' ', "");
    let resources = model.resources.iter().map(|r| {
        let ty = &r.ty;
        quote!(#ty)
            .to_string()
            .replace(' ', "")
            .replace(&format!("{runtime_prefix}::"), "")
    });
    let checked = model
        .components
        .iter()
        .map(|c| &c.ty)
        .chain(model.resources.iter().map(|r| &r.ty))
        .map(|ty| quote_spanned!(ty.span()=> __mn_serde::<#ty>();));
    // The same bounds on `save`/`load` (higher-ranked, so checked where called, not where
    // defined): a type that is not `Serialize` is reported once, by the check above,
    // rather than again through the bodies.
    let serde_bounds = model
        .components
        .iter()
        .map(|c| &c.ty)
        .chain(model.resources.iter().map(|r| &r.ty))
        .map(|ty| quote!(for<'__mn> #ty: #save::serde::Serialize + #save::serde::de::DeserializeOwned,));
    let serde_bounds = quote!(#(#serde_bounds)*);
    quote! {
        // Every component and resource of a `serde` world is `Serialize + Deserialize`:
        // the error points at the type that is not.
        const _: fn() = || {
            fn __mn_serde<__MnT: #save::serde::Serialize + #save::serde::de::DeserializeOwned>() {}
            #(#checked)*
        };

        impl #ident {
            /// The layout header of this world's saves.
            #[doc(hidden)]
            const __MN_LAYOUT: #save::Layout = #save::Layout {
                world: #world_name,
                archetypes: &[#(#archetypes),*],
                sparse: &[#(#sparse),*],
                resources: &[#(#resources),*],
            };

            /// Writes the world (entities with their generations and the free list, every
            /// component, the resources, the clock and the frame count) to `writer` in
            /// `format`, after a header naming its layout.
            pub fn save<__MnW: ::std::io::Write>(&self, writer: __MnW, format: #save::Format) -> ::core::result::Result<(), #save::SaveError>
            where
                #serde_bounds
            {
                #save::save(writer, format, &Self::__MN_LAYOUT, &#borrowed_view)
            }

            /// Reads a world written by [`save`](Self::save) of a world of this layout. A
            /// save of another layout, a corrupted or truncated one, or one that does not
            /// describe a consistent world is an error; no world is made.
            pub fn load<__MnR: ::std::io::Read>(reader: __MnR, format: #save::Format) -> ::core::result::Result<Self, #save::LoadError>
            where
                #serde_bounds
            {
                let __mn_data: <Self as #rt::snapshot::SnapshotData>::Data =
                    #save::load(reader, format, &Self::__MN_LAYOUT)?;
                let mut __mn_world = Self::new();
                __mn_world.__mn_fill(__mn_data).map_err(#save::LoadError::Inconsistent)?;
                ::core::result::Result::Ok(__mn_world)
            }
        }
    }
}
