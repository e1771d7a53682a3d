//! `hierarchy`: the world's `HIERARCHY` ids and its parent/children methods.

use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::quote;

/// The `WorldDef::HIERARCHY` item and the `set_parent`, `children`, `parent` and
/// `despawn_recursive` methods (nothing without the key).
pub(super) fn hierarchy(model: &WorldModel) -> (TokenStream, TokenStream) {
    if !model.hierarchy {
        return (TokenStream::new(), TokenStream::new());
    }
    let rt = crate::expand::rt();
    let def = quote! {
        const HIERARCHY: ::core::option::Option<#rt::HierarchyIds> =
            ::core::option::Option::Some(#rt::HierarchyIds {
                child_of: <#rt::ChildOf as #rt::ComponentOf<Self>>::ID,
                children: <#rt::Children as #rt::ComponentOf<Self>>::ID,
            });
    };
    let methods = quote! {
        /// Makes `parent` the parent of `child` (detaching it from its old parent); an
        /// error if either is dead or `child` is `parent` or one of its ancestors.
        pub fn set_parent(&mut self, child: #rt::Entity, parent: #rt::Entity) -> ::core::result::Result<(), #rt::EcsError> {
            #rt::hierarchy::set_parent(self, child, parent)
        }

        /// The children of `entity`, in the order they were attached.
        pub fn children(&self, entity: #rt::Entity) -> &[#rt::Entity] {
            #rt::hierarchy::children(self, entity)
        }

        /// The parent of `entity`, if it has one.
        pub fn parent(&self, entity: #rt::Entity) -> ::core::option::Option<#rt::Entity> {
            #rt::hierarchy::parent(self, entity)
        }

        /// Despawns `entity` and all its descendants; `false` if it was not alive.
        pub fn despawn_recursive(&mut self, entity: #rt::Entity) -> bool {
            #rt::hierarchy::despawn_recursive(self, entity)
        }
    };
    (def, methods)
}
