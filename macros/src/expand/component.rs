//! `#[derive(Component)]`.

use proc_macro2::TokenStream;
use quote::quote_spanned;

pub fn component(input: &syn::DeriveInput) -> TokenStream {
    let rt = super::rt();
    let ident = &input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let span = ident.span();
    // The impl's supertraits (`Send + Sync + 'static`) fail on the user's type name; the
    // size check of a non-generic type is a free const, so `cargo check` reports it. It
    // asserts on the size directly (not through `Component::SIZE_CHECK`), so a type that
    // is not `Send + Sync` gets no second copy of that error, and the panic lands here.
    let size_check = if input.generics.params.is_empty() {
        let message = format!(
            "component `{name}` is larger than 64 KiB; keep large data behind a `Box` or `Vec` inside the component"
        );
        quote_spanned! {span=>
            const _: () = ::core::assert!(
                ::core::mem::size_of::<#ident>() <= #rt::MAX_COMPONENT_SIZE,
                #message
            );
        }
    } else {
        TokenStream::new()
    };
    quote_spanned! {span=>
        impl #impl_generics #rt::Component for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
        }
        #size_check
    }
}
