//! `#[world(...)]`: the world struct, archetype structs, the phase enum, trait impls
//! carrying constant ids and tables, and the `const` schedule.

use crate::model::{CommandErrorModel, ExecutorModel, MemoryModel, Workers, WorldModel};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Index;

pub fn world(model: &WorldModel) -> TokenStream {
    let rt = super::rt();
    let vis = &model.vis;
    let ident = &model.ident;
    let attrs = &model.attrs;
    let world_name = ident.to_string();
    let phase_enum = format_ident!("{}Phase", ident);

    // ---- components ----
    let component_count = model.components.len();
    let component_tys: Vec<_> = model.components.iter().map(|c| &c.ty).collect();
    let component_impls = component_tys.iter().enumerate().map(|(i, ty)| {
        let id = i as u16;
        let sparse = model.sparse.contains(&i);
        quote_spanned! {ty.span()=>
            // SAFETY: `#id` is this type's index in the world's component list, and the
            // world's tables (its sparse set, for a `sparse(...)` one: `SPARSE` says
            // which, as `WorldDef::SPARSE` does) store it under that id.
            unsafe impl #rt::ComponentOf<#ident> for #ty {
                const ID: u16 = #id;
                const SPARSE: bool = #sparse;
            }
            const _: () = <#ty as #rt::Component>::SIZE_CHECK;
        }
    });
    let tracked_impls = model.tracked.iter().map(|&i| {
        let ty = &model.components[i].ty;
        quote_spanned! {ty.span()=>
            // `TRACKED` of the world lists this component: every table that has it keeps
            // its change ticks (`WorldCore::new`).
            impl #rt::TrackedOf<#ident> for #ty {}
        }
    });
    let tracked_with = model.tracked.iter().map(|&c| quote!(.with(#c)));
    let tracked_bits = quote!(#rt::Bits::EMPTY #(#tracked_with)*);

    // ---- archetypes ----
    let archetype_names: Vec<String> = model
        .archetypes
        .iter()
        .map(|a| a.ident.to_string())
        .collect();
    let sets: Vec<Vec<usize>> = model
        .archetypes
        .iter()
        .map(|a| a.components.clone())
        .collect();
    let set_exprs = sets.iter().map(|set| {
        let with = set.iter().map(|&c| quote!(.with(#c)));
        quote!(#rt::Bits::EMPTY #(#with)*)
    });
    let column_ids = sets.iter().map(|set| {
        let ids = set.iter().map(|&c| c as u16);
        quote!(&[#(#ids),*])
    });
    let sparse_with = model.sparse.iter().map(|&c| quote!(.with(#c)));
    let sparse_bits = quote!(#rt::Bits::EMPTY #(#sparse_with)*);
    let (hierarchy_def, hierarchy_methods) = hierarchy(model);
    let record_methods = super::records::methods(model);
    let (add, remove) = transitions(&sets, component_count);
    let movers = movers(&sets, &add, &remove, component_count, &component_tys);
    let archetype_items = model.archetypes.iter().enumerate().map(|(a, arch)| {
        let name = &arch.ident;
        let tys = &arch.component_tys;
        let archetype = a as u16;
        let fields = (0..tys.len()).map(Index::from);
        let fields2 = fields.clone();
        let columns = 0..tys.len();
        let columns2 = columns.clone();
        let doc = format!("Archetype `{name}` of world `{world_name}`: its components in declared order.");
        let vars: Vec<_> = (0..tys.len()).map(|i| format_ident!("__mn_c{}", i)).collect();
        // Spanned at the archetype's name: a listed type that is not a `Component` fails
        // here on the user's token rather than on the whole attribute.
        let dyn_bundle = quote_spanned! {name.span()=>
            // SAFETY: `components` and `take` list the same fields in the same order.
            unsafe impl #rt::DynBundle for #name {
                fn components(&self, __mn_out: &mut dyn ::core::ops::FnMut(::core::any::TypeId, &'static str)) {
                    #(__mn_out(::core::any::TypeId::of::<#tys>(), <#tys as #rt::Component>::NAME);)*
                }
                fn take(self: ::std::boxed::Box<Self>, __mn_put: &mut dyn ::core::ops::FnMut(::core::any::TypeId, *const u8)) {
                    let #name(#(#vars),*) = *self;
                    #rt::DynBundle::take(::std::boxed::Box::new((#(#vars,)*)), __mn_put)
                }
            }
        };
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis struct #name(#(pub #tys),*);

            // SAFETY: writes every column of archetype `#archetype` once, in column order,
            // each with a value of the column's component type.
            unsafe impl #rt::Bundle<#ident> for #name {
                const ARCHETYPE: u16 = #archetype;
                #[inline(always)]
                unsafe fn write(self, __mn_table: &mut #rt::Table, __mn_row: usize) {
                    // SAFETY: the caller passes this archetype's table and a reserved row.
                    unsafe { #(__mn_table.write::<#tys>(#columns, __mn_row, self.#fields);)* }
                }
            }

            // SAFETY: as above, for the exact tuple of the archetype's components.
            unsafe impl #rt::Bundle<#ident> for (#(#tys,)*) {
                const ARCHETYPE: u16 = #archetype;
                #[inline(always)]
                unsafe fn write(self, __mn_table: &mut #rt::Table, __mn_row: usize) {
                    // SAFETY: the caller passes this archetype's table and a reserved row.
                    unsafe { #(__mn_table.write::<#tys>(#columns2, __mn_row, self.#fields2);)* }
                }
            }

            #dyn_bundle
        }
    });

    // ---- resources ----
    let resource_tys: Vec<_> = model.resources.iter().map(|r| &r.ty).collect();
    let resource_inits = model.resources.iter().map(|r| {
        let ty = &r.ty;
        match &r.init {
            Some(expr) => quote_spanned!(expr.span()=> #rt::SyncCell::<#ty>::new(#expr)),
            None => quote_spanned!(ty.span()=> #rt::SyncCell::<#ty>::new(<#ty as ::core::default::Default>::default())),
        }
    });
    let resource_impls = resource_tys.iter().enumerate().map(|(i, ty)| {
        let id = i as u16;
        let field = Index::from(i);
        quote_spanned! {ty.span()=>
            // SAFETY: field `#field` of the resource tuple is this resource's only cell.
            unsafe impl #rt::ResourceOf<#ident> for #ty {
                const ID: u16 = #id;
                #[inline(always)]
                fn cell(__mn_world: &#ident) -> &#rt::SyncCell<Self> {
                    &__mn_world.__mn_resources.#field
                }
            }
        }
    });

    // The built-in `Time`: one more resource id, its cell in the core.
    let time_id = model.resources.len() as u16;
    let time_impl = quote! {
        // SAFETY: the core's time cell is the only cell of this resource in the world, and
        // id `#time_id` is no other resource's (the declared ones are numbered before it).
        unsafe impl #rt::ResourceOf<#ident> for #rt::Time {
            const ID: u16 = #time_id;
            #[inline(always)]
            fn cell(__mn_world: &#ident) -> &#rt::SyncCell<Self> {
                __mn_world.__mn_core.time_cell()
            }
        }
    };
    let fixed_steps = model.frames.fixed_hz.iter().map(|hz| match hz {
        Some(hz) => quote!(#rt::frames::step_ns(#hz)),
        None => quote!(0u64),
    });
    let max_fixed_steps = model.frames.max_fixed_steps;
    let stats_on = model.frames.stats;

    // ---- systems ----
    let mut system_paths = Vec::new();
    let mut system_phase = Vec::new();
    let mut system_after = Vec::new();
    let mut system_names = Vec::new();
    let mut system_conditions = Vec::new();
    // The declared phases, then the `OnEnter`/`OnExit` lists (numbered after them).
    let all_phases = model
        .phases
        .iter()
        .chain(model.transitions.iter().map(|t| &t.phase));
    for (p, phase) in all_phases.enumerate() {
        let offset = system_paths.len() as u16;
        for entry in &phase.systems {
            system_paths.push(entry.path.clone());
            system_phase.push(p as u16);
            system_after.push(
                entry
                    .after
                    .iter()
                    .map(|&i| offset + i as u16)
                    .collect::<Vec<_>>(),
            );
            system_names.push(entry.name.to_string());
            system_conditions.push((entry.name.to_string(), &entry.conditions[..]));
        }
    }
    let system_count = system_paths.len();
    let user_system_paths = system_paths;
    let (system_alias_items, system_paths) =
        super::system_checks::system_aliases(ident, &user_system_paths);
    // The run conditions' functions too are named through aliases (`__mn_Game_condition_0`):
    // one not marked `#[system]` is reported as such, once.
    let (condition_alias_items, system_conditions) =
        super::system_checks::condition_aliases(ident, &system_conditions);
    // Through the aliases, like every other use of a listed system: a path that does not
    // resolve is reported once, at the user's token.
    let listed: Vec<_> = system_paths
        .iter()
        .zip(&system_conditions)
        .map(|(path, (name, conditions))| super::events::Listed {
            path,
            name,
            conditions,
        })
        .collect();
    let extras = super::events::extras(model, &listed);
    let system_infos = system_paths.iter().enumerate().map(|(i, path)| {
        let phase = system_phase[i];
        let after = &system_after[i];
        let params = &extras.system_access[i];
        quote_spanned! {path.span()=>
            #rt::SystemInfo {
                name: <#path as #rt::SystemMeta>::NAME,
                phase: #phase,
                params: #params,
                after: &[#(#after),*],
            }
        }
    });
    let system_checks = system_paths.iter().enumerate().map(|(i, path)| {
        let msg = format!(
            "system `{}` has two parameters that conflict in world `{}`: one writes a component or resource that the other reads or writes; make its queries disjoint with `With`/`Without` filters, or merge them into one query",
            system_names[i], world_name
        );
        // The runtime path is spanned at the system too, so the const-eval error of the
        // call lands on the user's system path.
        let rt = quote_spanned!(path.span()=> ::metronome::__private);
        let no_match = super::system_checks::no_match_message(&system_names[i], &world_name);
        quote_spanned! {path.span()=>
            const _: () = <#path as #rt::System<#ident>>::CHECK;
            const _: () = #rt::check_system(
                <#path as #rt::System<#ident>>::PARAMS,
                <#ident as #rt::WorldDef>::ARCHETYPE_SETS,
                #msg,
            );
            const _: () = if !#rt::queries_match(
                <#path as #rt::System<#ident>>::PARAMS,
                <#ident as #rt::WorldDef>::ARCHETYPE_SETS,
            ) {
                ::core::panic!("{}", #no_match)
            };
        }
    });
    let state_tys = system_paths
        .iter()
        .map(|path| quote_spanned!(path.span()=> #rt::SyncCell<<#path as #rt::SystemMeta>::State>));
    let state_inits = system_paths
        .iter()
        .map(|_| quote!(#rt::SyncCell::new(::core::default::Default::default())));
    let exclusive_flags = system_paths
        .iter()
        .map(|path| quote_spanned!(path.span()=> <#path as #rt::System<#ident>>::EXCLUSIVE));
    let exclusive_arms = system_paths.iter().enumerate().map(|(i, path)| {
        quote! {
            #i => <#path as #rt::System<#ident>>::run_exclusive(self),
        }
    });
    let on_command_error = match model.on_command_error {
        CommandErrorModel::Panic => quote!(#rt::CommandErrorPolicy::Panic),
        CommandErrorModel::Collect => quote!(#rt::CommandErrorPolicy::Collect),
    };
    let run_arms = extras.run_bodies.iter().enumerate().map(|(i, body)| {
        quote! {
            #i => #body,
        }
    });

    let unresolved_orders = super::system_checks::unresolved_orders(
        &model.unresolved_orders,
        &user_system_paths,
        &system_paths,
    );

    // ---- phases and schedule ----
    let phase_idents: Vec<_> = model.phases.iter().map(|p| &p.ident).collect();
    let phase_count = phase_idents.len();
    let phase_consts: Vec<_> = (0..phase_count)
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
    let phase_indices = 0..phase_count;
    let phase_enum_doc = format!("The phases of world `{world_name}`, in run order.");

    let executor = executor_expr(&model.executor);
    let with_workers = with_workers_expr(&model.executor);
    let entities = model.capacity.entities as usize;
    let commands_per_stage = model.capacity.commands_per_stage as usize;

    let super::events::Extras {
        fields: extras_fields,
        inits: extras_inits,
        items: extras_items,
        world_def: extras_world_def,
        methods: extras_methods,
        ..
    } = &extras;

    let Movers {
        functions: mover_fns,
        add_transition,
        remove_transition,
    } = movers;

    let save_items = super::save::save(model);

    quote! {
        #save_items

        #(#attrs)*
        #vis struct #ident {
            __mn_core: #rt::WorldCore<#ident>,
            __mn_resources: (#(#rt::SyncCell<#resource_tys>,)*),
            __mn_states: (#(#state_tys,)*),
            #extras_fields
        }

        #[doc = #phase_enum_doc]
        #[derive(
            ::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::cmp::PartialEq,
            ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord,
        )]
        #vis enum #phase_enum {
            #(#phase_idents,)*
        }

        #(#archetype_items)*
        #(#component_impls)*
        #(#tracked_impls)*
        #(#resource_impls)*
        #time_impl
        #system_alias_items
        #condition_alias_items
        #(#system_checks)*
        #unresolved_orders
        #extras_items
        const _: [u16; #system_count] = #ident::__MN_STAGE_OF;

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

            /// Spawns an entity: an archetype struct, or the exact tuple of an archetype's
            /// components in declared order.
            #[inline]
            pub fn spawn<__MnB: #rt::Bundle<#ident>>(&mut self, bundle: __MnB) -> #rt::Entity {
                #rt::world::spawn(self, bundle)
            }

            /// Spawns every bundle of `iter`, with one reservation.
            pub fn spawn_batch<__MnB: #rt::Bundle<#ident>>(&mut self, iter: impl ::core::iter::IntoIterator<Item = __MnB>) -> ::std::vec::Vec<#rt::Entity> {
                #rt::world::spawn_batch(self, iter)
            }

            /// Despawns `entity`; `false` for a dead or stale entity.
            #[inline]
            pub fn despawn(&mut self, entity: #rt::Entity) -> bool {
                #rt::world::despawn(self, entity)
            }

            /// Whether `entity` is alive.
            #[inline]
            pub fn is_alive(&self, entity: #rt::Entity) -> bool {
                #rt::world::is_alive(self, entity)
            }

            /// Number of live entities.
            pub fn len(&self) -> usize {
                self.__mn_core.len()
            }

            /// Whether no entity is alive.
            pub fn is_empty(&self) -> bool {
                self.__mn_core.is_empty()
            }

            /// Component `T` of `entity`.
            #[inline]
            pub fn get<__MnT: #rt::ComponentOf<#ident>>(&self, entity: #rt::Entity) -> ::core::option::Option<&__MnT> {
                #rt::world::get(self, entity)
            }

            /// Component `T` of `entity`, mutably.
            #[inline]
            pub fn get_mut<__MnT: #rt::ComponentOf<#ident>>(&mut self, entity: #rt::Entity) -> ::core::option::Option<&mut __MnT> {
                #rt::world::get_mut(self, entity)
            }

            /// Sets the change tick of `track(...)` (tests of tick wrap-around).
            #[doc(hidden)]
            pub fn __set_change_tick(&mut self, tick: u32) {
                self.__mn_core.__set_change_tick(tick)
            }

            /// Whether `entity` is alive and has `T`.
            #[inline]
            pub fn has<__MnT: #rt::ComponentOf<#ident>>(&self, entity: #rt::Entity) -> bool {
                #rt::world::has::<#ident, __MnT>(self, entity)
            }

            /// Inserts `component` (overwriting it if present, else moving the entity to
            /// the archetype with exactly its components plus `T`).
            pub fn insert<__MnT: #rt::ComponentOf<#ident>>(&mut self, entity: #rt::Entity, component: __MnT) -> ::core::result::Result<(), #rt::EcsError> {
                #rt::world::insert(self, entity, component)
            }

            /// Removes `T` and returns it (moving the entity to the archetype with exactly
            /// its components minus `T`).
            pub fn remove<__MnT: #rt::ComponentOf<#ident>>(&mut self, entity: #rt::Entity) -> ::core::result::Result<__MnT, #rt::EcsError> {
                #rt::world::remove(self, entity)
            }

            /// The name of `entity`'s archetype.
            pub fn archetype_name(&self, entity: #rt::Entity) -> ::core::option::Option<&'static str> {
                #rt::world::archetype_name(self, entity)
            }

            /// Resource `T`.
            #[inline]
            pub fn resource<__MnT: #rt::ResourceOf<#ident>>(&self) -> &__MnT {
                #rt::world::resource(self)
            }

            /// Resource `T`, mutably.
            #[inline]
            pub fn resource_mut<__MnT: #rt::ResourceOf<#ident>>(&mut self) -> &mut __MnT {
                #rt::world::resource_mut(self)
            }

            /// A read-only query, outside systems.
            #[inline]
            pub fn query<__MnD: #rt::ReadOnlyQueryData + #rt::QueryDataOf<#ident>>(&self) -> #rt::Query<'_, __MnD> {
                #rt::world::query::<#ident, __MnD, ()>(self)
            }

            /// A read-only, filtered query, outside systems.
            #[inline]
            pub fn query_filtered<__MnD: #rt::ReadOnlyQueryData + #rt::QueryDataOf<#ident>, __MnF: #rt::QueryFilterOf<#ident>>(&self) -> #rt::Query<'_, __MnD, __MnF> {
                #rt::world::query::<#ident, __MnD, __MnF>(self)
            }

            /// A query, outside systems.
            #[inline]
            pub fn query_mut<__MnD: #rt::QueryDataOf<#ident>>(&mut self) -> #rt::Query<'_, __MnD> {
                #rt::world::query_mut::<#ident, __MnD, ()>(self)
            }

            /// A filtered query, outside systems.
            #[inline]
            pub fn query_filtered_mut<__MnD: #rt::QueryDataOf<#ident>, __MnF: #rt::QueryFilterOf<#ident>>(&mut self) -> #rt::Query<'_, __MnD, __MnF> {
                #rt::world::query_mut::<#ident, __MnD, __MnF>(self)
            }

            /// Runs every phase once, in order.
            ///
            /// A panic in a system reaches the caller once its stage's systems ended; that
            /// stage's commands are discarded, never applied, and the frame is not counted
            /// (see `metronome_runtime::world::run_phase`). The world can tick again.
            pub fn tick(&mut self) {
                #rt::world::tick(self)
            }

            /// Runs one phase; a panic in a system is handled as in `tick`.
            // A world without phases has an empty phase enum: the `match` never returns.
            #[allow(unreachable_code)]
            pub fn run_phase(&mut self, phase: #phase_enum) {
                let index: usize = match phase {
                    #(#phase_enum::#phase_idents => #phase_indices,)*
                };
                #rt::world::run_phase(self, index)
            }

            /// Ticks run so far.
            pub fn frame(&self) -> u64 {
                self.__mn_core.frame()
            }

            /// Runs one frame of `real_dt`: advances `Time`, runs each fixed phase as many
            /// times as its accumulator holds whole steps (at most `max_fixed_steps`; the
            /// rest is dropped and counted) and every other phase once. A panic in a
            /// system is handled as in `tick`.
            pub fn update(&mut self, real_dt: ::core::time::Duration) {
                #rt::frames::update(self, real_dt)
            }

            /// Calls `update` at `config`'s rate until `stop` is set or the frame count is
            /// reached, sleeping between frames; returns the statistics.
            pub fn run(&mut self, config: #rt::RunConfig, stop: &::core::sync::atomic::AtomicBool) -> #rt::FrameStats {
                #rt::frames::run(self, config, stop)
            }

            /// The executor's name (`sequential`, `work_stealing`, `numa_aware` or
            /// `continuation_stealing`) and its worker count (1 for `sequential`).
            pub fn executor_info(&self) -> (&'static str, usize) {
                let executor = self.__mn_core.executor();
                (executor.name(), executor.workers())
            }

            /// Gives memory back: spare column capacity and command-buffer capacity;
            /// returns the bytes given back.
            pub fn trim_memory(&mut self) -> usize {
                self.__mn_core.trim_memory()
            }

            /// Follows a memory-pressure monitor: the world polls it once per frame and
            /// trims its memory when the level rises to `High` or worse.
            pub fn follow_pressure(&mut self, monitor: &#rt::pressure::PressureMonitor) {
                self.__mn_core.follow_pressure(monitor)
            }

            /// Frame and system statistics (empty with `stats = off`, but for the counts).
            pub fn stats(&self) -> &#rt::FrameStats {
                self.__mn_core.stats()
            }

            /// Deferred commands that failed when applied, since the last call.
            pub fn take_command_errors(&mut self) -> ::std::vec::Vec<#rt::EcsError> {
                self.__mn_core.take_command_errors()
            }
        }

        impl ::core::default::Default for #ident {
            fn default() -> Self {
                Self::new()
            }
        }
    }
}

/// `ADD[a * C + c]` and `REMOVE[a * C + c]`: the archetype with `a`'s set plus/minus `c`.
/// `hierarchy`: the world's `HIERARCHY` ids and its `set_parent`, `children`, `parent`
/// and `despawn_recursive` methods (nothing without the key).
fn hierarchy(model: &WorldModel) -> (TokenStream, TokenStream) {
    if !model.hierarchy {
        return (TokenStream::new(), TokenStream::new());
    }
    let rt = super::rt();
    let def = quote! {
        const HIERARCHY: ::core::option::Option<#rt::HierarchyIds> =
            ::core::option::Option::Some(#rt::HierarchyIds {
                child_of: <#rt::ChildOf as #rt::ComponentOf<Self>>::ID,
                children: <#rt::Children as #rt::ComponentOf<Self>>::ID,
            });
    };
    let methods = quote! {
        /// Makes `parent` the parent of `child` (detaching it from its old parent); an
        /// error if either is dead or `child` is `parent` or one of its ancestors.
        pub fn set_parent(&mut self, child: #rt::Entity, parent: #rt::Entity) -> ::core::result::Result<(), #rt::EcsError> {
            #rt::hierarchy::set_parent(self, child, parent)
        }

        /// The children of `entity`, in the order they were attached.
        pub fn children(&self, entity: #rt::Entity) -> &[#rt::Entity] {
            #rt::hierarchy::children(self, entity)
        }

        /// The parent of `entity`, if it has one.
        pub fn parent(&self, entity: #rt::Entity) -> ::core::option::Option<#rt::Entity> {
            #rt::hierarchy::parent(self, entity)
        }

        /// Despawns `entity` and all its descendants; `false` if it was not alive.
        pub fn despawn_recursive(&mut self, entity: #rt::Entity) -> bool {
            #rt::hierarchy::despawn_recursive(self, entity)
        }
    };
    (def, methods)
}

fn transitions(sets: &[Vec<usize>], components: usize) -> (Vec<u16>, Vec<u16>) {
    let sorted: Vec<Vec<usize>> = sets
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.sort_unstable();
            s
        })
        .collect();
    let find = |set: &Vec<usize>| {
        sorted
            .iter()
            .position(|s| s == set)
            .map_or(u16::MAX, |a| a as u16)
    };
    let mut add = Vec::with_capacity(sets.len() * components);
    let mut remove = Vec::with_capacity(sets.len() * components);
    for set in &sorted {
        for c in 0..components {
            if set.contains(&c) {
                add.push(u16::MAX);
                let less: Vec<usize> = set.iter().copied().filter(|&x| x != c).collect();
                remove.push(find(&less));
            } else {
                let mut more = set.clone();
                more.push(c);
                more.sort_unstable();
                add.push(find(&more));
                remove.push(u16::MAX);
            }
        }
    }
    (add, remove)
}

/// The typed column movers of a world and the `WorldDef` methods that find them.
struct Movers {
    /// One `unsafe fn` per existing transition (source archetype, destination archetype).
    functions: Vec<TokenStream>,
    /// `WorldDef::add_transition`, a `match` over the existing insert transitions.
    add_transition: TokenStream,
    /// `WorldDef::remove_transition`, likewise for removes.
    remove_transition: TokenStream,
}

/// For every transition of `add`/`remove` (only those that exist: a world of 32
/// archetypes and 64 components typically has a handful), a mover that copies each column
/// as its concrete type (`storage::move_value`), or only fills the hole of the removed one
/// (`storage::fill_hole`); plus the `match`es that map (archetype, component) to the
/// destination and its mover. The movers are `#[inline]` so that a world codegens only the
/// ones its `insert::<T>`/`remove::<T>` calls reach.
fn movers(
    sets: &[Vec<usize>],
    add: &[u16],
    remove: &[u16],
    components: usize,
    component_tys: &[&syn::Type],
) -> Movers {
    let rt = super::rt();
    let mut functions = Vec::new();
    let arms = |table: &[u16], functions: &mut Vec<TokenStream>| {
        let mut arms = Vec::new();
        for (a, set) in sets.iter().enumerate() {
            for c in 0..components {
                let to = table[a * components + c];
                if to == u16::MAX {
                    continue;
                }
                let name = format_ident!("__mn_move_{}_{}", a, to);
                let dst = &sets[to as usize];
                let columns = set.iter().map(|&id| {
                    let ty = component_tys[id];
                    if dst.contains(&id) {
                        quote!(#rt::storage::move_value::<#ty>(*__mn_src.add(#id), *__mn_dst.add(#id), __mn_row, __mn_last, __mn_new_row);)
                    } else {
                        quote!(#rt::storage::fill_hole::<#ty>(*__mn_src.add(#id), __mn_row, __mn_last);)
                    }
                });
                functions.push(quote! {
                    #[doc(hidden)]
                    #[inline]
                    #[allow(clippy::missing_safety_doc)]
                    /// Moves a row from archetype `#a` to archetype `#to` (see `MoveColumns`).
                    unsafe fn #name(
                        __mn_src: *const *mut u8,
                        __mn_dst: *const *mut u8,
                        __mn_row: usize,
                        __mn_last: usize,
                        __mn_new_row: usize,
                    ) {
                        // SAFETY: `MoveColumns`'s contract: `__mn_src`/`__mn_dst` are the
                        // pointer rows of these two archetypes, indexed by component id
                        // (each id below is a column of the source, and of the destination
                        // where moved), with the row conditions the helpers require.
                        unsafe { #(#columns)* }
                    }
                });
                let (a, c) = (a as u16, c as u16);
                arms.push(quote!((#a, #c) => ::core::option::Option::Some((#to, Self::#name as #rt::storage::MoveColumns)),));
            }
        }
        arms
    };
    let add_arms = arms(add, &mut functions);
    let remove_arms = arms(remove, &mut functions);
    let method = |name: TokenStream, arms: Vec<TokenStream>| {
        quote! {
            #[inline(always)]
            fn #name(__mn_a: u16, __mn_c: u16) -> ::core::option::Option<(u16, #rt::storage::MoveColumns)> {
                match (__mn_a, __mn_c) {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    };
    Movers {
        functions,
        add_transition: method(quote!(add_transition), add_arms),
        remove_transition: method(quote!(remove_transition), remove_arms),
    }
}

/// The world's `WorldExecutor`: `WorldExecutor::new(config)`, or, for
/// `unsafe(continuation_stealing(...))`, the continuation pool built in an `unsafe` block
/// that carries the user's `unsafe` token.
/// The `Result<WorldExecutor, BuildError>` of `with_workers(workers)`: the declared
/// executor with the count replaced (the continuation pool built under the user's
/// `unsafe`, as in [`executor_expr`]).
fn with_workers_expr(model: &ExecutorModel) -> TokenStream {
    let rt = super::rt();
    match model {
        ExecutorModel::ContinuationStealing {
            local_queue_size,
            accepted,
            ..
        } => quote!({
            // SAFETY (of the generated block): as in `executor_expr`, the world's author
            // accepted the contract of `ContinuationPoolBuilder::build` by writing
            // `unsafe(continuation_stealing(...))`; the worker count changes nothing of it.
            let __mn_builder = #rt::WorldExecutor::continuation_builder(::core::option::Option::Some(workers), #local_queue_size);
            (#accepted { __mn_builder.build() }).map(#rt::WorldExecutor::Continuation)
        }),
        _ => {
            let config = executor_config(model);
            quote!(#rt::WorldExecutor::with_workers(#config, workers))
        }
    }
}

/// The `ExecutorConfig` of every executor but the continuation-stealing one.
fn executor_config(model: &ExecutorModel) -> TokenStream {
    let rt = super::rt();
    let workers = |w: &Workers| match w {
        Workers::Auto => quote!(::core::option::Option::None),
        Workers::Fixed(n) => quote!(::core::option::Option::Some(#n)),
    };
    match model {
        ExecutorModel::Sequential => quote!(#rt::ExecutorConfig::Sequential),
        // Never reached: `executor_expr` and `with_workers_expr` build this pool
        // themselves, under the user's `unsafe`. Without a config of its own, the safe
        // `WorldExecutor` functions could not build it anyway.
        ExecutorModel::ContinuationStealing { .. } => quote!(#rt::ExecutorConfig::Sequential),
        ExecutorModel::WorkStealing {
            workers: w,
            local_queue_size,
            heartbeat_us,
        } => {
            let w = workers(w);
            quote!(#rt::ExecutorConfig::WorkStealing { workers: #w, local_queue_size: #local_queue_size, heartbeat_us: #heartbeat_us })
        }
        ExecutorModel::NumaAware {
            workers: w,
            local_queue_size,
            heartbeat_us,
            pin,
            memory,
        } => {
            let w = workers(w);
            let interleave = *memory == MemoryModel::Interleave;
            quote!(#rt::ExecutorConfig::NumaAware {
                workers: #w, local_queue_size: #local_queue_size, heartbeat_us: #heartbeat_us, pin: #pin, interleave: #interleave
            })
        }
    }
}

fn executor_expr(model: &ExecutorModel) -> TokenStream {
    let rt = super::rt();
    let workers = |w: &Workers| match w {
        Workers::Auto => quote!(::core::option::Option::None),
        Workers::Fixed(n) => quote!(::core::option::Option::Some(#n)),
    };
    match model {
        ExecutorModel::ContinuationStealing {
            workers: w,
            local_queue_size,
            accepted,
        } => {
            let w = workers(w);
            // SAFETY (of the generated block): the world's author wrote
            // `executor = unsafe(continuation_stealing(...))`, accepting the `# Safety`
            // contract of `ContinuationPoolBuilder::build` for everything run on this
            // pool: the world's systems and whatever the world's owner runs on it. The
            // block's `unsafe` is the author's token (its span), so `unsafe_code` lints
            // point at what they wrote.
            quote!({
                let __mn_builder = #rt::WorldExecutor::continuation_builder(#w, #local_queue_size);
                #rt::WorldExecutor::continuation(#accepted { __mn_builder.build() })
            })
        }
        _ => {
            let config = executor_config(model);
            quote!(#rt::WorldExecutor::new(#config))
        }
    }
}
