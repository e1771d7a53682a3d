//! `unsafe impl WorldDef`: the world's tables as constants (archetypes, components,
//! transitions, systems, frames) and its `run_system`/`run_exclusive` dispatch.

use super::archetypes::Archetypes;
use super::components::bits;
use super::systems::Systems;
use super::transitions::{Movers, Transitions};
use crate::model::{CommandErrorModel, WorldModel};
use proc_macro2::TokenStream;
use quote::quote;

/// What `impl WorldDef` takes from the other generation steps.
pub(super) struct WorldDefParts<'a> {
    pub archetypes: &'a Archetypes,
    pub transitions: &'a Transitions,
    pub movers: &'a Movers,
    pub systems: &'a Systems,
    /// The `HIERARCHY` item (empty without `hierarchy`).
    pub hierarchy_def: &'a TokenStream,
}

pub(super) fn world_def(model: &WorldModel, parts: WorldDefParts<'_>) -> TokenStream {
    let rt = crate::expand::rt();
    let ident = &model.ident;
    let world_name = ident.to_string();
    let WorldDefParts {
        archetypes,
        transitions: Transitions { add, remove },
        movers,
        systems,
        hierarchy_def,
    } = parts;
    let archetype_names = &archetypes.names;
    let set_exprs = archetypes.set_exprs();
    let component_tys = model.components.iter().map(|c| &c.ty);
    let system_phase = &systems.phases;
    let system_names = &systems.names;
    let phase_count = model.phases.len();
    let exclusive_flags = systems.exclusive_flags();
    let on_command_error = match model.on_command_error {
        CommandErrorModel::Panic => quote!(#rt::CommandErrorPolicy::Panic),
        CommandErrorModel::Collect => quote!(#rt::CommandErrorPolicy::Collect),
    };
    let sparse_bits = bits(model.sparse.iter().copied());
    let tracked_bits = bits(model.tracked.iter().copied());
    let fixed_steps = model.frames.fixed_hz.iter().map(|hz| match hz {
        Some(hz) => quote!(#rt::frames::step_ns(#hz)),
        None => quote!(0u64),
    });
    let max_fixed_steps = model.frames.max_fixed_steps;
    let stats_on = model.frames.stats;
    let extras_world_def = &systems.extras.world_def;
    let Movers {
        add_transition,
        remove_transition,
        ..
    } = movers;
    let run_arms = systems.run_arms();
    let exclusive_arms = systems.exclusive_arms();
    quote! {
        // SAFETY: the tables below are computed from the declaration: archetype sets by
        // component id, transitions by set equality, and `run_system` dispatches to the
        // systems whose `PARAMS` built the schedule.
        unsafe impl #rt::WorldDef for #ident {
            const NAME: &'static str = #world_name;
            const ARCHETYPE_NAMES: &'static [&'static str] = &[#(#archetype_names),*];
            const ARCHETYPE_SETS: &'static [#rt::Bits] = &[#(#set_exprs),*];
            const COMPONENT_NAMES: &'static [&'static str] = &[#(<#component_tys as #rt::Component>::NAME),*];
            const ADD: &'static [u16] = &[#(#add),*];
            const REMOVE: &'static [u16] = &[#(#remove),*];
            const SYSTEM_PHASES: &'static [u16] = &[#(#system_phase),*];
            const SYSTEM_STAGES: &'static [u16] = &Self::__MN_STAGE_OF;
            const PHASE_COUNT: usize = #phase_count;
            const SYSTEM_NAMES: &'static [&'static str] = &[#(#system_names),*];
            const EXCLUSIVE_SYSTEMS: &'static [bool] = &[#(#exclusive_flags),*];
            const ON_COMMAND_ERROR: #rt::CommandErrorPolicy = #on_command_error;
            const SPARSE: #rt::Bits = #sparse_bits;
            const TRACKED: #rt::Bits = #tracked_bits;
            #hierarchy_def

            const FIXED_STEPS_NS: &'static [u64] = &[#(#fixed_steps),*];
            const MAX_FIXED_STEPS: u32 = #max_fixed_steps;
            const STATS: bool = #stats_on;
            #extras_world_def
            #add_transition
            #remove_transition
            #[inline(always)]
            fn core(&self) -> &#rt::WorldCore<Self> {
                &self.__mn_core
            }
            #[inline(always)]
            fn core_mut(&mut self) -> &mut #rt::WorldCore<Self> {
                &mut self.__mn_core
            }
            #[allow(unused_variables, unreachable_code)]
            unsafe fn run_system(&self, __mn_index: usize, __mn_commands: &mut #rt::CommandBuffer) {
                // SAFETY: the caller guarantees no conflicting system runs meanwhile (a
                // system's access includes its run conditions'); each system's state cell
                // is used by that system alone, each condition's by the system it guards.
                unsafe {
                    match __mn_index {
                        #(#run_arms)*
                        _ => {}
                    }
                }
            }
            #[allow(unused_variables, unreachable_code)]
            fn run_exclusive(&mut self, __mn_index: usize) {
                match __mn_index {
                    #(#exclusive_arms)*
                    _ => {}
                }
            }
        }
    }
}
