//! what `#[system]` adds for run conditions, and what `#[world]` adds for
//! `events(...)`, `states(...)`, `OnEnter`/`OnExit` lists and `.run_if(...)`.

use crate::model::{ConditionModel, ParamKind, SystemModel, WorldModel};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Index, Path};

/// `ConditionMeta` and `RunCondition<W>` for a `#[system]` function (any function may be
/// named in `run_if(...)`; the world checks that it returns `bool` and only reads).
pub fn condition_impls(
    model: &SystemModel,
    bounds: &[TokenStream],
    fetches: &[TokenStream],
) -> TokenStream {
    let rt = super::rt();
    let ident = &model.func.sig.ident;
    let world = format_ident!("__MnW");
    let output = match &model.func.sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    let write_error = write_error(model);
    quote! {
        impl #rt::ConditionMeta for #ident {
            type Output = #output;
            const WRITE_ERROR: &'static str = #write_error;
        }

        // SAFETY: `evaluate` fetches the parameters `System::run` fetches, whose access
        // `PARAMS` declares.
        unsafe impl<#world: #rt::WorldDef> #rt::RunCondition<#world> for #ident
        where
            #(#bounds)*
        {
            #[inline]
            #[allow(unused_variables, clippy::unused_unit)]
            unsafe fn evaluate(__mn_world: &#world, __mn_state: &mut <Self as #rt::SystemMeta>::State, __mn_commands: &mut #rt::CommandBuffer) -> #output {
                let __mn_commands = <::core::ptr::NonNull<#rt::CommandBuffer> as ::core::convert::From<&mut #rt::CommandBuffer>>::from(__mn_commands);
                // SAFETY: the caller (the stage runner) guarantees that nothing conflicting
                // with `PARAMS` runs meanwhile and hands over the guarded system's buffer.
                unsafe { #ident(#(#fetches),*) }
            }
        }
    }
}

/// The compile error of a function with a write parameter named in `run_if(...)`, or "".
fn write_error(model: &SystemModel) -> String {
    let name = model.func.sig.ident.to_string();
    for param in &model.params {
        let what = match &param.kind {
            ParamKind::ResMut(_) => "writes a resource",
            ParamKind::Query { .. }
                if param
                    .access
                    .as_ref()
                    .is_some_and(|a| a.data.iter().any(|d| d.mutable)) =>
            {
                "writes components"
            }
            ParamKind::Commands => "records structural changes",
            ParamKind::Outbox => "sends records to other worlds",
            ParamKind::EventWriter(_) => "sends events",
            _ => continue,
        };
        let ty = crate::validate::display(&param.ty);
        return format!(
            "run condition `{name}` has the write parameter `{ty}` ({what}); a run condition only reads: take `Res<..>`, `Query<&T>`, `EventReader<..>` or `Local<..>` parameters, and move the write into a system"
        );
    }
    String::new()
}

/// A system of the world with its conditions, in world order.
pub struct Listed<'a> {
    pub path: &'a Path,
    /// The system's name as written in `systems(...)`.
    pub name: &'a str,
    pub conditions: &'a [ConditionModel],
}

/// The world's additions for events, states and run conditions.
pub struct Extras {
    /// Fields of the world struct.
    pub fields: TokenStream,
    /// Their initialisers.
    pub inits: TokenStream,
    /// Items beside the world (trait impls and compile-time checks).
    pub items: TokenStream,
    /// Items of `impl WorldDef`.
    pub world_def: TokenStream,
    /// Items of the world's inherent impl.
    pub methods: TokenStream,
    /// The `SystemInfo::params` of each system (its access plus its conditions').
    pub system_access: Vec<TokenStream>,
    /// The `run_system` arm body of each system.
    pub run_bodies: Vec<TokenStream>,
}

pub fn extras(model: &WorldModel, systems: &[Listed]) -> Extras {
    let rt = super::rt();
    let ident = &model.ident;

    // ---- events ----
    let event_tys = &model.events;
    let event_impls = event_tys.iter().enumerate().map(|(k, ty)| {
        let field = Index::from(k);
        quote_spanned! {ty.span()=>
            // SAFETY: field `#field` of the event tuple is this event type's only cell,
            // used only by the world's event operations.
            unsafe impl #rt::EventOf<#ident> for #ty {
                #[inline(always)]
                fn events(__mn_world: &#ident) -> &#rt::SyncCell<#rt::Events<Self>> {
                    &__mn_world.__mn_events.#field
                }
                #[inline(always)]
                fn events_mut(__mn_world: &mut #ident) -> &mut #rt::Events<Self> {
                    __mn_world.__mn_events.#field.get_mut()
                }
            }
        }
    });
    let event_updates = (0..event_tys.len()).map(|k| {
        let field = Index::from(k);
        quote!(self.__mn_events.#field.get_mut().update();)
    });

    // ---- states ----
    let phase_of_transition = |t: usize| model.phases.len() + t;
    let state_impls = model.states.iter().map(|state| {
        let ty = &state.ty;
        quote_spanned!(ty.span()=> impl #rt::StateOf<#ident> for #ty {})
    });
    let transitions = model.states.iter().enumerate().map(|(k, state)| {
        let ty = &state.ty;
        let runs = |enter: bool, var: &syn::Ident| {
            let arms = model
                .transitions
                .iter()
                .enumerate()
                .filter(|(_, t)| t.state == k && t.enter == enter)
                .map(|(t, transition)| {
                    let value = &transition.value;
                    let phase = phase_of_transition(t);
                    quote!(if #var == (#value) { #rt::world::run_phase(self, #phase); })
                });
            quote!(#(#arms)*)
        };
        let (s, old, new) = (
            format_ident!("__mn_initial"),
            format_ident!("__mn_old"),
            format_ident!("__mn_new"),
        );
        let enter_initial = runs(true, &s);
        let exit_old = runs(false, &old);
        let enter_new = runs(true, &new);
        quote! {
            if let ::core::option::Option::Some(#s) = #rt::state::take_initial::<#ty>(#rt::world::resource_mut::<#ident, #rt::State<#ty>>(self)) {
                #enter_initial
            }
            if let ::core::option::Option::Some(#new) = #rt::state::take_next::<#ty>(#rt::world::resource_mut::<#ident, #rt::NextState<#ty>>(self)) {
                let #old: #ty = *#rt::world::resource::<#ident, #rt::State<#ty>>(self).get();
                #exit_old
                #rt::state::switch::<#ty>(#rt::world::resource_mut::<#ident, #rt::State<#ty>>(self), #new);
                #enter_new
            }
        }
    });
    let has_events = !model.events.is_empty();
    let world_def = if has_events || !model.states.is_empty() {
        quote! {
            const HAS_EVENTS: bool = #has_events;
            #[inline]
            #[allow(unused_variables)]
            fn begin_tick(&mut self) {
                #(#event_updates)*
                #(#transitions)*
            }
        }
    } else {
        TokenStream::new()
    };

    // ---- run conditions ----
    let mut condition_paths: Vec<&Path> = Vec::new();
    let mut system_access = Vec::new();
    let mut run_bodies = Vec::new();
    let mut access_consts = Vec::new();
    let mut checks = Vec::new();
    for (i, system) in systems.iter().enumerate() {
        let path = system.path;
        let field = Index::from(i);
        let run = quote! {
            <#path as #rt::System<#ident>>::run(self, &mut *self.__mn_states.#field.get(), __mn_commands)
        };
        if system.conditions.is_empty() {
            system_access
                .push(quote_spanned!(path.span()=> <#path as #rt::System<#ident>>::PARAMS));
            run_bodies.push(run);
            continue;
        }
        // An exclusive system runs through `run_exclusive`, with the whole world and no
        // command buffer to evaluate conditions with: `run_if` on it is refused.
        let exclusive_error = format!(
            "exclusive system `{}` has run conditions; an exclusive system (`&mut {}`) runs alone with the whole world, so `run_if` is not available on it: test the condition at the start of its body instead",
            system.name, ident
        );
        let rt_at = quote_spanned!(path.span()=> ::metronome::__private);
        checks.push(quote_spanned! {path.span()=>
            const _: () = if <#path as #rt_at::System<#ident>>::EXCLUSIVE {
                ::core::panic!("{}", #exclusive_error)
            };
        });
        let mut parts = vec![quote!(<#path as #rt::System<#ident>>::PARAMS)];
        let mut lens = vec![quote!(<#path as #rt::System<#ident>>::PARAMS.len())];
        let mut tests = Vec::new();
        for condition in system.conditions {
            match condition {
                ConditionModel::System(cond) => {
                    let g = Index::from(condition_paths.len());
                    condition_paths.push(cond);
                    parts.push(quote!(<#cond as #rt::System<#ident>>::PARAMS));
                    lens.push(quote!(<#cond as #rt::System<#ident>>::PARAMS.len()));
                    let rt_at = quote_spanned!(cond.span()=> ::metronome::__private);
                    checks.push(quote_spanned! {cond.span()=>
                        const _: () = <#cond as #rt::System<#ident>>::CHECK;
                        const _: () = #rt_at::check_condition(<#cond as #rt::ConditionMeta>::WRITE_ERROR);
                    });
                    tests.push(quote_spanned! {cond.span()=>
                        #rt_at::condition_output::<#cond, _>(<#cond as #rt::RunCondition<#ident>>::evaluate(self, &mut *self.__mn_conditions.#g.get(), __mn_commands))
                    });
                }
                ConditionModel::InState { value, state } => {
                    let ty = &model.states[*state].ty;
                    parts.push(quote!(&[#rt::ParamAccess::Resource { id: <#rt::State<#ty> as #rt::ResourceOf<#ident>>::ID, write: false }]));
                    lens.push(quote!(1usize));
                    tests.push(quote!(#rt::in_state::<#ident, #ty>(self, &(#value))));
                }
            }
        }
        let name = format_ident!("__MN_ACCESS_{}", i);
        access_consts.push(quote! {
            #[doc(hidden)]
            const #name: [#rt::ParamAccess; #(#lens)+*] = #rt::concat_access(&[#(#parts),*]);
        });
        system_access.push(quote!(&#ident::#name));
        run_bodies.push(quote! {
            if #(#tests)&&* {
                #run
            }
        });
    }
    // ---- the transition lists' schedule ----
    let system_count = systems.len();
    let transition_defs = model.transitions.iter().enumerate().map(|(t, transition)| {
        let k = transition.phase.systems.len();
        let name = format_ident!("__MN_TRANSITION_{}", t);
        let p = phase_of_transition(t) as u16;
        quote! {
            #[doc(hidden)]
            const #name: [&'static [&'static str]; #k] = #rt::phase_stages::<#k, #system_count>(
                &Self::__MN_NAMES, &Self::__MN_SYSTEMS, &Self::__MN_ORDER, &Self::__MN_STAGE_OF, #p,
            );
        }
    });
    let transition_schedules = model.transitions.iter().enumerate().map(|(t, transition)| {
        let keyword = if transition.enter { "OnEnter" } else { "OnExit" };
        let name = format!(
            "{keyword}({})",
            crate::validate::display(&transition.value)
        );
        let konst = format_ident!("__MN_TRANSITION_{}", t);
        let p = phase_of_transition(t) as u16;
        quote! {
            #rt::PhaseSchedule {
                name: #name,
                stages: Self::#konst.split_at(#rt::stage_count(&Self::__MN_SYSTEMS, &Self::__MN_STAGE_OF, #p)).0,
            }
        }
    });

    let condition_states = condition_paths
        .iter()
        .map(|path| quote_spanned!(path.span()=> #rt::SyncCell<<#path as #rt::SystemMeta>::State>));
    let condition_inits = condition_paths
        .iter()
        .map(|_| quote!(#rt::SyncCell::new(::core::default::Default::default())));

    Extras {
        fields: quote! {
            __mn_events: (#(#rt::SyncCell<#rt::Events<#event_tys>>,)*),
            __mn_conditions: (#(#condition_states,)*),
        },
        inits: quote! {
            __mn_events: (#(#rt::SyncCell::new(<#rt::Events::<#event_tys> as ::core::default::Default>::default()),)*),
            __mn_conditions: (#(#condition_inits,)*),
        },
        items: quote! {
            #(#event_impls)*
            #(#state_impls)*
            #(#checks)*
        },
        world_def,
        methods: quote! {
            #(#access_consts)*
            #(#transition_defs)*

            /// The `OnEnter(..)`/`OnExit(..)` lists of `systems(...)`, in declaration
            /// order, each placed into stages like a phase and named as written
            /// (`OnEnter(GameState::Playing)`). Not run by `tick` as phases: a state
            /// change at the start of a tick runs them.
            pub const TRANSITIONS: #rt::Schedule = #rt::Schedule { phases: &[#(#transition_schedules),*] };

            /// Sends `event` from outside the systems: readable from the next stage that
            /// runs, through the end of the tick after it.
            pub fn send_event<__MnT: #rt::EventOf<#ident>>(&mut self, event: __MnT) {
                #rt::event::send_event(self, event)
            }

            /// The events of type `T` readable now, in send order.
            pub fn events<__MnT: #rt::EventOf<#ident>>(&self) -> impl ::core::iter::Iterator<Item = &__MnT> + '_ {
                #rt::event::events::<#ident, __MnT>(self)
            }

            /// The current value of state type `S`.
            pub fn state<__MnS: #rt::StateOf<#ident>>(&self) -> __MnS
            where
                #rt::State<__MnS>: #rt::ResourceOf<#ident>,
            {
                *#rt::world::resource::<#ident, #rt::State<__MnS>>(self).get()
            }

            /// Asks for a change of state type `S` at the start of the next tick.
            pub fn set_next_state<__MnS: #rt::StateOf<#ident>>(&mut self, value: __MnS)
            where
                #rt::NextState<__MnS>: #rt::ResourceOf<#ident>,
            {
                #rt::world::resource_mut::<#ident, #rt::NextState<__MnS>>(self).set(value)
            }
        },
        system_access,
        run_bodies,
    }
}
