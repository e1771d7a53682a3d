//! `#[system]`: keeps the function (marked `#[inline(always)]` unless it has an `inline`
//! attribute, its plain `for` loops over its queries compiled as `fold`, see
//! `system_loops`) and adds a same-named braced struct implementing `System<W>` for every
//! world whose components and resources its parameters use.

use crate::model::{ParamKind, SystemModel};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use syn::visit_mut::VisitMut;
use syn::{Lifetime, Type};

/// Replaces every lifetime in a type (elided reference lifetimes included) by `'static`,
/// so the type can be named in an impl header.
struct StaticLifetimes;

impl VisitMut for StaticLifetimes {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        r.lifetime = Some(Lifetime::new("'static", proc_macro2::Span::call_site()));
        self.visit_type_mut(&mut r.elem);
    }
    fn visit_lifetime_mut(&mut self, l: &mut Lifetime) {
        *l = Lifetime::new("'static", l.span());
    }
}

fn with_static_lifetimes(ty: &Type) -> Type {
    let mut ty = ty.clone();
    StaticLifetimes.visit_type_mut(&mut ty);
    ty
}

/// The parameter's type as the runtime names it, with `'static` lifetimes.
fn param_type(kind: &ParamKind) -> TokenStream {
    let rt = super::rt();
    match kind {
        ParamKind::Query { data, filter } => {
            let data = with_static_lifetimes(data);
            let filter = match filter {
                Some(f) => {
                    let f = with_static_lifetimes(f);
                    quote!(#f)
                }
                None => quote!(()),
            };
            quote!(#rt::Query<'static, #data, #filter>)
        }
        ParamKind::Res(t) => quote!(#rt::Res<'static, #t>),
        ParamKind::ResMut(t) => quote!(#rt::ResMut<'static, #t>),
        ParamKind::Commands => quote!(#rt::Commands<'static>),
        ParamKind::Outbox => quote!(#rt::Outbox<'static>),
        ParamKind::Local(t) => quote!(#rt::Local<'static, #t>),
        // Exclusive systems are expanded by `exclusive_system`, never through here.
        ParamKind::Exclusive(t) => quote!(&'static mut #t),
        ParamKind::EventWriter(t) => quote!(#rt::EventWriter<'static, #t>),
        ParamKind::EventReader(t) => quote!(#rt::EventReader<'static, #t>),
        ParamKind::RemovedComponents(t) => quote!(#rt::RemovedComponents<'static, #t>),
    }
}

/// What the parameter needs of world `W`, as where-clauses on the leaf types (so the
/// parameter's `Item` still normalises, and errors name the missing component/resource).
fn param_bounds(kind: &ParamKind, span: proc_macro2::Span, world: &syn::Ident) -> TokenStream {
    let rt = super::rt();
    match kind {
        ParamKind::Query { data, filter } => {
            let data = with_static_lifetimes(data);
            let filter = match filter {
                Some(f) => {
                    let f = with_static_lifetimes(f);
                    quote_spanned!(span=> #f: #rt::QueryFilterOf<#world>,)
                }
                None => TokenStream::new(),
            };
            quote_spanned!(span=> #data: #rt::QueryDataOf<#world>, #filter)
        }
        ParamKind::Res(t) | ParamKind::ResMut(t) => {
            quote_spanned!(span=> #t: #rt::ResourceOf<#world>,)
        }
        ParamKind::Local(t) => {
            quote_spanned!(span=> #t: ::core::default::Default + ::core::marker::Send + 'static,)
        }
        ParamKind::EventWriter(t) | ParamKind::EventReader(t) => {
            quote_spanned!(span=> #t: #rt::EventOf<#world>,)
        }
        ParamKind::RemovedComponents(t) => {
            quote_spanned!(span=> #t: #rt::TrackedOf<#world>,)
        }
        ParamKind::Commands | ParamKind::Outbox | ParamKind::Exclusive(_) => TokenStream::new(),
    }
}

pub fn system(model: &SystemModel) -> TokenStream {
    let rt = super::rt();
    // The function is inlined into `System::run` before the optimiser sees it (unless it
    // says otherwise): compiled on its own first, its query loops would be optimised
    // twice, once without the constant set of archetypes the world gives them.
    let mut func = model.func.clone();
    if !func.attrs.iter().any(|a| a.path().is_ident("inline")) {
        func.attrs.push(syn::parse_quote!(#[inline(always)]));
    }
    // `for` loops over the queries walk them table by table (see `system_loops`).
    let queries = query_param_names(model);
    super::system_loops::rewrite_query_loops(&mut func.block, &queries);
    let func = &func;
    if let [param] = &model.params[..] {
        if let ParamKind::Exclusive(world) = &param.kind {
            return exclusive_system(func, world, param.span);
        }
    }
    let ident = &func.sig.ident;
    let vis = &func.vis;
    let name = ident.to_string();
    let world = format_ident!("__MnW");
    let params: Vec<TokenStream> = model.params.iter().map(|p| param_type(&p.kind)).collect();
    let bounds: Vec<TokenStream> = model
        .params
        .iter()
        .map(|p| param_bounds(&p.kind, p.span, &world))
        .collect();
    let indices = (0..params.len()).map(syn::Index::from);
    let fetches: Vec<TokenStream> = params.iter().zip(indices).map(|(ty, i)| {
        quote! { <#ty as #rt::SystemParam<#world>>::fetch(__mn_world, &mut __mn_state.#i, __mn_commands) }
    }).collect();
    let condition = super::events::condition_impls(model, &bounds, &fetches);
    // A run condition's value is not used when it is listed as a system.
    let discard = match &func.sig.output {
        syn::ReturnType::Default => TokenStream::new(),
        syn::ReturnType::Type(..) => quote!(let _ =),
    };
    let doc = format!("The system `{name}`: names it in `#[world(systems(...))]`.");
    let marker = system_marker(
        vis,
        ident,
        &doc,
        quote!((#(<#params as #rt::ParamState>::State,)*)),
    );
    quote! {
        #func

        #marker

        // SAFETY: `PARAMS` lists the access of every parameter `run` fetches, in order.
        unsafe impl<#world: #rt::WorldDef> #rt::System<#world> for #ident
        where
            #(#bounds)*
        {
            const PARAMS: &'static [#rt::ParamAccess] = &[#(<#params as #rt::SystemParam<#world>>::ACCESS),*];
            const CHECK: () = { #(let _: () = <#params as #rt::SystemParam<#world>>::CHECK;)* };

            #[inline]
            #[allow(unused_variables, clippy::unused_unit)]
            unsafe fn run(__mn_world: &#world, __mn_state: &mut <Self as #rt::SystemMeta>::State, __mn_commands: &mut #rt::CommandBuffer) {
                let __mn_commands = <::core::ptr::NonNull<#rt::CommandBuffer> as ::core::convert::From<&mut #rt::CommandBuffer>>::from(__mn_commands);
                // SAFETY: the caller (the stage runner) guarantees that nothing conflicting
                // with `PARAMS` runs meanwhile and hands over this system's buffer.
                #discard unsafe { #ident(#(#fetches),*) };
            }
        }

        #condition
    }
}

/// The names of the system's `Query` parameters (`mut q: Query<..>` gives `q`).
fn query_param_names(model: &SystemModel) -> Vec<syn::Ident> {
    let typed = model.func.sig.inputs.iter().filter_map(|arg| match arg {
        syn::FnArg::Typed(arg) => Some(arg),
        syn::FnArg::Receiver(_) => None,
    });
    typed
        .zip(&model.params)
        .filter_map(|(arg, param)| match (&*arg.pat, &param.kind) {
            (syn::Pat::Ident(name), ParamKind::Query { .. }) => Some(name.ident.clone()),
            _ => None,
        })
        .collect()
}

/// An exclusive system (`fn rebuild(game: &mut Game)`): `System<Game>` only, with
/// `EXCLUSIVE = true`; the world calls `run_exclusive` with `&mut Game`, alone in its
/// stage.
fn exclusive_system(func: &syn::ItemFn, world: &Type, span: proc_macro2::Span) -> TokenStream {
    let rt = super::rt();
    let ident = &func.sig.ident;
    let vis = &func.vis;
    let name = ident.to_string();
    let world = with_static_lifetimes(world);
    let doc = format!("The exclusive system `{name}`: names it in `#[world(systems(...))]`.");
    let marker = system_marker(vis, ident, &doc, quote!(()));
    let world_bound = quote_spanned!(span=> #world: #rt::WorldDef);
    quote! {
        #func

        #marker

        // SAFETY: `PARAMS` claims the whole world, so the schedule gives the system a stage
        // of its own; `run` touches nothing (the world calls `run_exclusive`, with
        // `&mut W`, for a system whose `EXCLUSIVE` is true).
        unsafe impl #rt::System<#world> for #ident
        where
            #world_bound
        {
            const PARAMS: &'static [#rt::ParamAccess] = &[#rt::ParamAccess::Exclusive];
            const CHECK: () = ();
            const EXCLUSIVE: bool = true;

            #[inline]
            unsafe fn run(_: &#world, _: &mut (), _: &mut #rt::CommandBuffer) {
                ::core::panic!("the exclusive system `{}` needs the whole world: the stage runner calls `run_exclusive`", #name)
            }

            #[inline]
            fn run_exclusive(__mn_world: &mut #world) {
                #ident(__mn_world)
            }
        }
    }
}

/// The braced struct a `#[system]` adds beside its function (type namespace only) and its
/// `SystemMeta`: the name the world lists and the type of the system's per-run state.
fn system_marker(
    vis: &syn::Visibility,
    ident: &syn::Ident,
    doc: &str,
    state: TokenStream,
) -> TokenStream {
    let rt = super::rt();
    let name = ident.to_string();
    quote! {
        #[doc = #doc]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {
            _private: (),
        }

        impl #rt::SystemMeta for #ident {
            const NAME: &'static str = #name;
            type State = #state;
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    fn expanded(item: proc_macro2::TokenStream) -> String {
        let model = crate::validate::system(quote!(), item)
            .ok()
            .expect("valid system");
        super::system(&model).to_string()
    }

    #[test]
    fn the_function_is_inlined_into_run() {
        let out = expanded(quote!(
            pub fn f(q: Query<&A>) {}
        ));
        assert!(out.contains("# [inline (always)] pub fn f"), "{out}");
    }

    #[test]
    fn an_inline_attribute_of_the_function_is_kept() {
        let out = expanded(quote!(
            #[inline(never)]
            pub fn f(q: Query<&A>) {}
        ));
        assert!(out.contains("# [inline (never)] pub fn f"), "{out}");
        assert!(!out.contains("inline (always)] pub fn f"), "{out}");
    }

    #[test]
    fn a_for_loop_over_a_query_parameter_is_expanded_as_a_fold() {
        let out = expanded(quote!(
            pub fn ab(mut q: Query<(&mut A, &mut B)>, v: Res<V>) {
                for (a, b) in q.iter_mut() {
                    std::mem::swap(&mut a.0, &mut b.0);
                }
                for x in v.0.iter() {}
            }
        ));
        assert!(
            out.contains(":: core :: iter :: Iterator :: fold (:: core :: iter :: IntoIterator :: into_iter (q . iter_mut ()) , (() ,) , # [inline (always)] | (() ,) , (a , b) |"),
            "{out}"
        );
        // The loop over the resource is not a query loop.
        assert!(out.contains("for x in v . 0 . iter ()"), "{out}");
    }

    #[test]
    fn a_for_loop_with_an_early_exit_stays_a_loop() {
        let out = expanded(quote!(
            pub fn f(q: Query<&A>) {
                for a in &q {
                    if a.0 > 1.0 {
                        break;
                    }
                }
            }
        ));
        assert!(out.contains("for a in & q"), "{out}");
        assert!(!out.contains("Iterator :: fold"), "{out}");
    }
}
