//! What `#[world]` and `#[system]` emit when validation failed: the errors plus stub
//! items, so the user sees their mistake and not a cascade of "cannot find" errors.

use crate::validate::{SystemFailure, WorldFailure};
use proc_macro2::TokenStream;
use quote::quote;

pub fn world_fallback(failure: &WorldFailure) -> TokenStream {
    let error = failure.error.to_compile_error();
    let stub = super::world_stub::world_stub(&failure.stub);
    quote! {
        #error
        #stub
    }
}

pub fn system_fallback(failure: &SystemFailure) -> TokenStream {
    let error = failure.error.to_compile_error();
    match &failure.func {
        Some(func) => {
            let stand_in = system_stand_in(func);
            quote! { #error #func #stand_in }
        }
        None => error,
    }
}

/// The struct and impls a `#[system]` adds beside `func`, for a system (and run
/// condition) that accesses and does nothing: a world listing the failed system then reports nothing more than
/// the system's own error (in particular not that it is "not a `#[system]`"). Never run:
/// the `compile_error!` beside it fails the build.
fn system_stand_in(func: &syn::ItemFn) -> TokenStream {
    let rt = super::rt();
    let (vis, ident) = (&func.vis, &func.sig.ident);
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

        // SAFETY: `run` accesses nothing, and `PARAMS` is empty, so it declares all `run`
        // does.
        unsafe impl<__MnW: #rt::WorldDef> #rt::System<__MnW> for #ident {
            const PARAMS: &'static [#rt::ParamAccess] = &[];
            const CHECK: () = ();

            unsafe fn run(_: &__MnW, _: &mut (), _: &mut #rt::CommandBuffer) {}
        }

        impl #rt::ConditionMeta for #ident {
            type Output = bool;
            const WRITE_ERROR: &'static str = "";
        }

        // SAFETY: `evaluate` accesses nothing, and `PARAMS` is empty.
        unsafe impl<__MnW: #rt::WorldDef> #rt::RunCondition<__MnW> for #ident {
            unsafe fn evaluate(_: &__MnW, _: &mut (), _: &mut #rt::CommandBuffer) -> bool {
                false
            }
        }
    }
}
