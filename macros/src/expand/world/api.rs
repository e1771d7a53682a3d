//! The world's public inherent methods that every world has, whatever its declaration:
//! entities, component and resource access, queries, running, and the runtime's state.
//! Each forwards to the generic implementation in the runtime.

use super::schedule::phase_enum_ident;
use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::quote;

/// `spawn`, `spawn_batch`, `despawn`, `is_alive`, `len`, `is_empty`, `get`, `get_mut`,
/// `has`, `insert`, `remove`, `archetype_name` (and the hidden `__set_change_tick`).
pub(super) fn entity_methods(model: &WorldModel) -> TokenStream {
    let rt = crate::expand::rt();
    let ident = &model.ident;
    quote! {
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
    }
}

/// `resource`, `resource_mut` and the queries outside systems.
pub(super) fn access_methods(model: &WorldModel) -> TokenStream {
    let rt = crate::expand::rt();
    let ident = &model.ident;
    quote! {
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
    }
}

/// `tick`, `run_phase`, `frame`, `update` and `run`.
pub(super) fn run_methods(model: &WorldModel) -> TokenStream {
    let rt = crate::expand::rt();
    let phase_enum = phase_enum_ident(model);
    let phase_idents = model.phases.iter().map(|p| &p.ident);
    let phase_indices = 0..model.phases.len();
    quote! {
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
    }
}

/// `executor_info`, `trim_memory`, `follow_pressure`, `stats` and
/// `take_command_errors`.
pub(super) fn runtime_methods() -> TokenStream {
    let rt = crate::expand::rt();
    quote! {
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
}
