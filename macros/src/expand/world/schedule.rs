//! The phases and the compile-time schedule: the `{World}Phase` enum, and the constants
//! of the world's inherent impl that place each system in a stage (`__MN_STAGE_OF`,
//! `__MN_ORDER`, ...) and describe the result (`SCHEDULE`).

use super::systems::Systems;
use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

/// The name of the phase enum: `{World}Phase`.
pub(super) fn phase_enum_ident(model: &WorldModel) -> Ident {
    format_ident!("{}Phase", model.ident)
}

/// `enum {World}Phase`: one variant per declared phase, in run order.
pub(super) fn phase_enum(model: &WorldModel) -> TokenStream {
    let vis = &model.vis;
    let phase_enum = phase_enum_ident(model);
    let phase_idents = model.phases.iter().map(|p| &p.ident);
    let doc = format!("The phases of world `{}`, in run order.", model.ident);
    quote! {
        #[doc = #doc]
        #[derive(
            ::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq,
            ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord,
        )]
        #vis enum #phase_enum {
            #(#phase_idents,)*
        }
    }
}

/// The schedule's constants, computed by `const fn`s of the runtime from the systems'
/// `SystemInfo`s: each system's stage, the run order, the names in run order, each
/// phase's stages, and `SCHEDULE`.
pub(super) fn schedule_consts(model: &WorldModel, systems: &Systems) -> TokenStream {
    let rt = crate::expand::rt();
    let system_count = systems.count();
    let system_infos = systems.infos();
    let phase_consts: Vec<_> = (0..model.phases.len())
        .map(|p| format_ident!("__MN_PHASE_{}", p))
        .collect();
    let phase_defs = model.phases.iter().enumerate().map(|(p, phase)| {
        let k = phase.systems.len();
        let name = &phase_consts[p];
        let p = p as u16;
        quote! {
            #[doc(hidden)]
            const #name: [&'static [&'static str]; #k] = #rt::phase_stages::<#k, #system_count>(
                &Self::__MN_NAMES, &Self::__MN_SYSTEMS, &Self::__MN_ORDER, &Self::__MN_STAGE_OF, #p,
            );
        }
    });
    let phase_schedules = model.phases.iter().enumerate().map(|(p, phase)| {
        let name = phase.ident.to_string();
        let konst = &phase_consts[p];
        let p = p as u16;
        quote! {
            #rt::PhaseSchedule {
                name: #name,
                stages: Self::#konst.split_at(#rt::stage_count(&Self::__MN_SYSTEMS, &Self::__MN_STAGE_OF, #p)).0,
            }
        }
    });
    quote! {
        #[doc(hidden)]
        const __MN_SYSTEMS: [#rt::SystemInfo; #system_count] = [#(#system_infos),*];
        #[doc(hidden)]
        const __MN_STAGE_OF: [u16; #system_count] =
            #rt::place_stages(&Self::__MN_SYSTEMS, <Self as #rt::WorldDef>::ARCHETYPE_SETS);
        #[doc(hidden)]
        const __MN_ORDER: [u16; #system_count] = #rt::run_order(&Self::__MN_SYSTEMS, &Self::__MN_STAGE_OF);
        #[doc(hidden)]
        const __MN_NAMES: [&'static str; #system_count] = #rt::names_in_order(&Self::__MN_SYSTEMS, &Self::__MN_ORDER);
        #(#phase_defs)*

        /// The schedule, computed at compile time: phases, their stages, and the systems
        /// of each stage (which may run at once).
        pub const SCHEDULE: #rt::Schedule = #rt::Schedule { phases: &[#(#phase_schedules),*] };
    }
}
