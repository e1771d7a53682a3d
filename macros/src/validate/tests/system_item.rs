//! The item `#[system]` is on: what is not a plain free function, a failed system keeping
//! its function, and garbage that must not panic.

use proc_macro2::TokenStream;
use quote::quote;

use super::system_errors;

#[test]
fn system_item_errors() {
    assert_eq!(
        system_errors(quote!(
            struct S;
        )),
        ["`#[system]` goes on a free function such as `fn integrate(time: Res<Time>) {}`"]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(&self) {}
        )),
        ["system `f` cannot take `self`; make it a free function outside the `impl` block"]
    );
    assert_eq!(
        system_errors(quote!(
            fn f<T>(q: Query<&T>) {}
        )),
        ["system `f` cannot be generic; remove the type and const parameters"]
    );
    assert_eq!(
        system_errors(quote!(async fn f() {})),
        ["system `f` cannot be `async`; remove `async`, a system runs to completion within its stage"]
    );
    assert_eq!(
        system_errors(quote!(
            const fn f() {}
        )),
        ["system `f` cannot be a `const fn`; remove `const`"]
    );
    let failure = crate::validate::system(
        quote!(x),
        quote!(
            fn f() {}
        ),
    )
    .err()
    .expect("error");
    assert!(failure.func.is_some());
    assert_eq!(
        failure.error.to_string(),
        "`#[system]` takes no arguments; write `#[system]` and order systems in `#[world(systems(...))]`"
    );
    let params: Vec<TokenStream> = (0..17u32)
        .map(|i| {
            let name = quote::format_ident!("r{}", i);
            quote!(#name: Res<Time>)
        })
        .collect();
    assert_eq!(
        system_errors(quote!(fn f(#(#params),*) {})),
        ["a system takes at most 16 parameters, this is parameter 17; group resources into one struct or split the system"]
    );
    assert_eq!(
        system_errors(quote!(fn f((a, b): (Res<A>, Res<B>)) {})),
        [
            "a system parameter is a plain name such as `time` or `mut movers`, or `_`",
            "unsupported system parameter type `(Res<A>, Res<B>)`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
        ]
    );
}

#[test]
fn failed_system_keeps_its_function() {
    let failure = crate::validate::system(
        quote!(),
        quote!(
            pub fn f(x: u32, y: Res<A>) {}
        ),
    )
    .err()
    .expect("error");
    assert_eq!(failure.func.expect("func").sig.ident, "f");
}

#[test]
fn system_garbage_never_panics() {
    let items: Vec<TokenStream> = vec![
        quote!(),
        quote!(fn),
        quote!(fn f),
        quote!(
            fn f();
        ),
        quote!(
            extern "C" fn f(q: Query<&A>) {}
        ),
        quote!(
            unsafe fn f() {}
        ),
        quote!(
            fn f(x: Query<<T as X>::Y>) {}
        ),
        quote!(
            fn f(x: <T as X>::Res) {}
        ),
        quote!(
            fn f(x: Query<&dyn A>) {}
        ),
        quote!(
            fn f(x: Query<(), ()>) {}
        ),
        quote!(
            fn f(x: Query<&A, With>) {}
        ),
        quote!(
            fn f(x: Query<&A, With<&B>>) {}
        ),
        quote!(
            fn f(x: Query<&A, With<B, C>>) {}
        ),
        quote!(
            fn f(x: Query<Option>) {}
        ),
        quote!(
            fn f(x: Query<Option<Option<&A>>>) {}
        ),
        quote!(
            fn f(x: Query<Entity<A>>) {}
        ),
        quote!(
            fn f(x: Query<Fn(A) -> B>) {}
        ),
        quote!(
            fn f(x: Res<'static>) {}
        ),
        quote!(
            fn f(x: Res<N = 3>) {}
        ),
        quote!(
            fn f(x: Res<{ 3 }>) {}
        ),
        quote!(
            fn f(x: impl Fn()) {}
        ),
        quote!(
            fn f(ref x: Res<A>) {}
        ),
        quote!(
            fn f(x @ _: Res<A>) {}
        ),
        quote!(
            fn f(x: Query<(&mut A, &mut A)>, y: Query<&A>) {}
        ),
    ];
    for item in items {
        let _ = crate::validate::system(quote!(), item.clone());
        let _ = crate::validate::system(quote!(a = b), item);
    }
}
