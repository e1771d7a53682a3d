//! `#[world(...)]`: the world struct, archetype structs, the phase enum, trait impls
//! carrying constant ids and tables, and the `const` schedule.
//!
//! [`world`] runs the generation steps, one module each, and lays their items out; the
//! data several steps share (`Archetypes`, `Transitions`, `Systems`) is computed
//! once here and passed to them.

mod api;
mod archetypes;
mod components;
mod executor;
mod hierarchy;
mod resources;
mod schedule;
mod systems;
mod transitions;
mod world_def;

use crate::model::WorldModel;
use archetypes::Archetypes;
use proc_macro2::TokenStream;
use quote::quote;
use systems::Systems;
use transitions::Transitions;

pub fn world(model: &WorldModel) -> TokenStream {
    let rt = super::rt();
    let ident = &model.ident;
    let archetypes = Archetypes::of(model);
    let transitions = Transitions::of(&archetypes.sets, model.components.len());
    let component_tys: Vec<_> = model.components.iter().map(|c| &c.ty).collect();
    let movers = transitions::movers(&archetypes.sets, &transitions, &component_tys);
    let systems = Systems::of(model);
    let (hierarchy_def, hierarchy_methods) = hierarchy::hierarchy(model);

    let save_items = super::save::save(model);
    let world_struct = world_struct(model, &systems);
    let phase_enum = schedule::phase_enum(model);
    let archetype_items = archetypes::archetype_items(model);
    let component_impls = components::component_impls(model);
    let resource_impls = resources::resource_impls(model);
    let system_alias_items = &systems.alias_items;
    let condition_alias_items = &systems.condition_alias_items;
    let system_checks = systems.checks();
    let unresolved_orders = systems.unresolved_orders(model);
    let extras_items = &systems.extras.items;
    let system_count = systems.count();
    let world_def = world_def::world_def(
        model,
        world_def::WorldDefParts {
            archetypes: &archetypes,
            transitions: &transitions,
            movers: &movers,
            systems: &systems,
            hierarchy_def: &hierarchy_def,
        },
    );

    let archetype_names = &archetypes.names;
    let mover_fns = &movers.functions;
    let extras_methods = &systems.extras.methods;
    let record_methods = super::records::methods(model);
    let schedule_consts = schedule::schedule_consts(model, &systems);
    let constructors = constructors(model, &archetypes, &systems);
    let entity_methods = api::entity_methods(model);
    let access_methods = api::access_methods(model);
    let run_methods = api::run_methods(model);
    let runtime_methods = api::runtime_methods();

    quote! {
        #save_items

        #world_struct

        #phase_enum

        #archetype_items
        #component_impls
        #resource_impls
        #system_alias_items
        #condition_alias_items
        #system_checks
        #unresolved_orders
        #extras_items
        const _: [u16; #system_count] = #ident::__MN_STAGE_OF;

        #world_def

        impl #rt::World for #ident {
            #[inline]
            fn new() -> Self {
                #ident::new()
            }
        }

        #[allow(dead_code)]
        impl #ident {
            /// Archetype names, in declaration order.
            pub const ARCHETYPES: &'static [&'static str] = &[#(#archetype_names),*];

            #(#mover_fns)*

            #extras_methods

            #hierarchy_methods

            #record_methods

            #schedule_consts

            #constructors

            #entity_methods

            #access_methods

            #run_methods

            #runtime_methods
        }

        impl ::core::default::Default for #ident {
            fn default() -> Self {
                Self::new()
            }
        }
    }
}

/// The world struct: its core, the resource cells, each system's state cell, and the
/// fields of events, states and run conditions.
fn world_struct(model: &WorldModel, systems: &Systems) -> TokenStream {
    let rt = super::rt();
    let (attrs, vis, ident) = (&model.attrs, &model.vis, &model.ident);
    let resource_cells = resources::cell_tys(model);
    let state_tys = systems.state_tys();
    let extras_fields = &systems.extras.fields;
    quote! {
        #(#attrs)*
        #vis struct #ident {
            __mn_core: #rt::WorldCore<#ident>,
            __mn_resources: (#(#resource_cells,)*),
            __mn_states: (#(#state_tys,)*),
            #extras_fields
        }
    }
}

/// `new`, `with_workers` and the `__mn_with_executor` both call: the world's core built
/// from its tables, capacity and executor, and every resource and state cell initialised.
fn constructors(model: &WorldModel, archetypes: &Archetypes, systems: &Systems) -> TokenStream {
    let rt = super::rt();
    let ident = &model.ident;
    let executor = executor::executor_expr(&model.executor);
    let with_workers = executor::with_workers_expr(&model.executor);
    let component_tys: Vec<_> = model.components.iter().map(|c| &c.ty).collect();
    let column_ids = archetypes.column_ids();
    let entities = model.capacity.entities as usize;
    let commands_per_stage = model.capacity.commands_per_stage as usize;
    let resource_inits = resources::cell_inits(model);
    let state_inits = systems.state_inits();
    let extras_inits = &systems.extras.inits;
    quote! {
        /// An empty world with its resources initialised.
        pub fn new() -> Self {
            let __mn_executor: #rt::WorldExecutor = #executor;
            Self::__mn_with_executor(__mn_executor)
        }

        /// An empty world whose executor has `workers` workers instead of the declared
        /// count; an error if that pool cannot be built (`0` workers, more than the
        /// maximum, threads refused) or if the world is declared `sequential`.
        pub fn with_workers(workers: usize) -> ::core::result::Result<Self, #rt::BuildError> {
            let __mn_executor: #rt::WorldExecutor = #with_workers?;
            ::core::result::Result::Ok(Self::__mn_with_executor(__mn_executor))
        }

        #[doc(hidden)]
        fn __mn_with_executor(__mn_executor: #rt::WorldExecutor) -> Self {
            #ident {
                __mn_core: {
                    // SAFETY: entry `c` of the column types is `ColumnType::of` the component
                    // whose `ComponentOf` id is `c` (both generated from the component list,
                    // in order); the column ids are each archetype's components in declared
                    // order, the order its `Bundle::write` impls write the columns in, one
                    // entry per archetype of `ARCHETYPE_SETS`, in order.
                    unsafe {
                        #rt::WorldCore::<#ident>::new(
                            ::std::vec![#(#rt::ColumnType::of::<#component_tys>(<#component_tys as #rt::Component>::NAME)),*],
                            &[#(#column_ids),*],
                            __mn_executor,
                            #entities,
                            #commands_per_stage,
                        )
                    }
                },
                __mn_resources: (#(#resource_inits,)*),
                __mn_states: (#(#state_inits,)*),
                #extras_inits
            }
        }
    }
}
