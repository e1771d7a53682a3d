//! The world's record methods: `take`, `put`, `transfer`, `import`, `take_outbox` and,
//! with the runtime's `serde` feature, `import_json_lines` (all calling `world::records`).

use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// The methods, for the world's inherent `impl` block.
pub fn methods(model: &WorldModel) -> TokenStream {
    let rt = super::rt();
    let json = json_lines(model);
    quote! {
        /// Removes `entity` and returns its components as a world-independent record
        /// (table and sparse components; not its hierarchy links: its children become
        /// roots, as with `despawn`). Every value moves; none is dropped.
        pub fn take(&mut self, entity: #rt::Entity) -> ::core::result::Result<#rt::Record, #rt::EcsError> {
            #rt::world::records::take(self, entity)
        }

        /// Spawns an entity from `record`, whose components must be exactly an
        /// archetype's set plus any sparse components (a `ChildOf` links it to its live
        /// parent). Pass the record by value, or as `&mut record` to keep it on failure:
        /// on `Err` nothing changed, the record included (by value, it is then dropped);
        /// on `Ok` a `&mut` record is left empty.
        pub fn put(&mut self, mut record: impl ::core::borrow::BorrowMut<#rt::Record>) -> ::core::result::Result<#rt::Entity, #rt::EcsError> {
            #rt::world::records::put(self, record.borrow_mut())
        }

        /// Moves `entity` into world `to` (`take` then `put`), atomically: on `Err` the
        /// entity is still here, unchanged, and `to` is unchanged. Returns its handle in
        /// `to`.
        pub fn transfer<__MnTo: #rt::WorldDef>(&mut self, entity: #rt::Entity, to: &mut __MnTo) -> ::core::result::Result<#rt::Entity, #rt::EcsError> {
            #rt::world::records::transfer(self, entity, to)
        }

        /// Spawns every record, each all or nothing: the spawned entities in input
        /// order, and each rejected record's index with the reason (it changed nothing).
        pub fn import(&mut self, records: impl ::core::iter::IntoIterator<Item = #rt::Record>) -> #rt::ImportReport {
            #rt::world::records::import(self, records)
        }

        /// The records this world's `Outbox` parameters sent since the last call (or
        /// since a `Coordinator` last collected them), with their destination indices.
        pub fn take_outbox(&mut self) -> ::std::vec::Vec<(usize, #rt::Record)> {
            #rt::world::records::take_outbox(self)
        }

        #json
    }
}

/// `import_json_lines`, inside the runtime's `__if_serde!`: it exists only when the
/// runtime has feature `serde` (its reader exists only then).
fn json_lines(model: &WorldModel) -> TokenStream {
    let rt = super::rt();
    let components = model.components.iter().map(|c| {
        let ty = &c.ty;
        // Spanned at the component, so a type error points at the user's token.
        quote_spanned! {ty.span()=>
            #rt::record::json::JsonComponent::new(
                <#ty as #rt::Component>::NAME,
                {
                    #[allow(unused_imports)]
                    use #rt::record::json::{NotDeserialize as _, ViaDeserialize as _};
                    (&#rt::record::json::Probe::<#ty>::NEW).decoder()
                },
            )
        }
    });
    quote! {
        #rt::__if_serde! {
        /// Spawns a record from every line of `reader`: each non-blank line is a JSON
        /// object keyed by component name (`{"Position": {"x": 1.0, "y": 2.0}}`), read
        /// with the components' `serde::Deserialize` and spawned all or nothing. Malformed
        /// lines, unknown names, values of the wrong type and sets matching no archetype
        /// are rejected with their 1-based line number and the reason.
        pub fn import_json_lines(&mut self, reader: impl ::std::io::BufRead) -> #rt::ImportReport {
            let __mn_components = [#(#components),*];
            #rt::world::records::import_json_lines(self, reader, &__mn_components)
        }
        }
    }
}
