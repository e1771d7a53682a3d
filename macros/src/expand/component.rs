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
    // size check of a non-generic type is a free const, so `cargo check` reports it.
    let size_check = if input.generics.params.is_empty() {
        quote_spanned! {span=>
            const _: () = <#ident as #rt::Component>::SIZE_CHECK;
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
