//! The stand-in system that `#[system]` emits next to its errors: the struct named like
//! the function, a system of every world that uses nothing, so that a world listing it
//! reports no follow-up error. It is only ever emitted with a `compile_error!`, so it is
//! never part of a program.

use proc_macro2::TokenStream;
use quote::quote;

/// The stub struct and impls for the function `func`.
pub fn system_stub(func: &syn::ItemFn) -> TokenStream {
    let rt = super::rt();
    let ident = &func.sig.ident;
    let vis = &func.vis;
    let name = ident.to_string();
    quote! {
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {
            _private: (),
        }

        impl #rt::SystemMeta for #ident {
            const NAME: &'static str = #name;
            type State = ();
        }

        // SAFETY: `PARAMS` is empty and `run` accesses nothing (it never returns).
        unsafe impl<__MnW: #rt::WorldDef> #rt::System<__MnW> for #ident {
            const PARAMS: &'static [#rt::ParamAccess] = &[];
            const CHECK: () = ();
            unsafe fn run(_: &__MnW, _: &mut (), _: &mut #rt::CommandBuffer) {
                ::core::unreachable!("the `#[system]` function has errors; this crate does not compile")
            }
        }
    }
}
