//! The world's systems: their table (numbered across the phases, then the
//! `OnEnter`/`OnExit` lists, each named through an alias), the compile-time checks of
//! each, and the per-system pieces of the world (state cells, `run_system` and
//! `run_exclusive` arms, `SystemInfo`s).

use crate::expand::events::{self, Extras, Listed};
use crate::model::WorldModel;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path};

/// The systems of a world, in world order.
pub(super) struct Systems {
    /// The world's name, which every system is checked and run for.
    pub world: Ident,
    /// Each system's phase (the `OnEnter`/`OnExit` lists numbered after the phases).
    pub phases: Vec<u16>,
    /// Each system's `after` edges, as world indices.
    pub after: Vec<Vec<u16>>,
    /// Each system's name as written in `systems(...)`.
    pub names: Vec<String>,
    /// The paths as the user wrote them.
    pub user_paths: Vec<Path>,
    /// The alias paths (`__mn_Game_system_0`) the rest of the expansion names them by.
    pub paths: Vec<Path>,
    /// The items declaring the system aliases.
    pub alias_items: TokenStream,
    /// The items declaring the run conditions' aliases.
    pub condition_alias_items: TokenStream,
    /// The world's additions for events, states and run conditions.
    pub extras: Extras,
}

impl Systems {
    pub(super) fn of(model: &WorldModel) -> Self {
        let ident = &model.ident;
        let mut user_paths = Vec::new();
        let mut phases = Vec::new();
        let mut after = Vec::new();
        let mut names = Vec::new();
        let mut conditions = Vec::new();
        // The declared phases, then the `OnEnter`/`OnExit` lists (numbered after them).
        let all_phases = model
            .phases
            .iter()
            .chain(model.transitions.iter().map(|t| &t.phase));
        for (p, phase) in all_phases.enumerate() {
            let offset = user_paths.len() as u16;
            for entry in &phase.systems {
                user_paths.push(entry.path.clone());
                phases.push(p as u16);
                after.push(
                    entry
                        .after
                        .iter()
                        .map(|&i| offset + i as u16)
                        .collect::<Vec<_>>(),
                );
                names.push(entry.name.to_string());
                conditions.push((entry.name.to_string(), &entry.conditions[..]));
            }
        }
        let (alias_items, paths) = crate::expand::system_checks::system_aliases(ident, &user_paths);
        // The run conditions' functions too are named through aliases (`__mn_Game_condition_0`):
        // one not marked `#[system]` is reported as such, once.
        let (condition_alias_items, conditions) =
            crate::expand::system_checks::condition_aliases(ident, &conditions);
        // Through the aliases, like every other use of a listed system: a path that does not
        // resolve is reported once, at the user's token.
        let listed: Vec<_> = paths
            .iter()
            .zip(&conditions)
            .map(|(path, (name, conditions))| Listed {
                path,
                name,
                conditions,
            })
            .collect();
        let extras = events::extras(model, &listed);
        Systems {
            world: ident.clone(),
            phases,
            after,
            names,
            user_paths,
            paths,
            alias_items,
            condition_alias_items,
            extras,
        }
    }

    pub(super) fn count(&self) -> usize {
        self.paths.len()
    }

    /// Per system: `CHECK` of its parameters, that no two of them conflict, and that
    /// each query matches an archetype of the world; each failure a compile error at
    /// the system's path.
    pub(super) fn checks(&self) -> TokenStream {
        let ident = &self.world;
        let world_name = ident.to_string();
        let checks = self.paths.iter().enumerate().map(|(i, path)| {
            let msg = format!(
                "system `{}` has two parameters that conflict in world `{}`: one writes a component or resource that the other reads or writes; make its queries disjoint with `With`/`Without` filters, or merge them into one query",
                self.names[i], world_name
            );
            // The runtime path is spanned at the system too, so the const-eval error of the
            // call lands on the user's system path.
            let rt = quote_spanned!(path.span()=> ::metronome::__private);
            let no_match =
                crate::expand::system_checks::no_match_message(&self.names[i], &world_name);
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
        quote!(#(#checks)*)
    }

    /// The checks of `.after`/`.before` targets that name no system of their list.
    pub(super) fn unresolved_orders(&self, model: &WorldModel) -> TokenStream {
        crate::expand::system_checks::unresolved_orders(
            &model.unresolved_orders,
            &self.user_paths,
            &self.paths,
        )
    }

    /// The `SystemInfo` of each system, the input of the compile-time schedule.
    pub(super) fn infos(&self) -> impl Iterator<Item = TokenStream> + '_ {
        let rt = crate::expand::rt();
        self.paths.iter().enumerate().map(move |(i, path)| {
            let phase = self.phases[i];
            let after = &self.after[i];
            let params = &self.extras.system_access[i];
            quote_spanned! {path.span()=>
                #rt::SystemInfo {
                    name: <#path as #rt::SystemMeta>::NAME,
                    phase: #phase,
                    params: #params,
                    after: &[#(#after),*],
                }
            }
        })
    }

    /// The field types of the world's state tuple: each system's `SyncCell<State>`.
    pub(super) fn state_tys(&self) -> impl Iterator<Item = TokenStream> + '_ {
        let rt = crate::expand::rt();
        self.paths.iter().map(
            move |path| quote_spanned!(path.span()=> #rt::SyncCell<<#path as #rt::SystemMeta>::State>),
        )
    }

    /// The state tuple's initialisers.
    pub(super) fn state_inits(&self) -> impl Iterator<Item = TokenStream> + '_ {
        let rt = crate::expand::rt();
        self.paths
            .iter()
            .map(move |_| quote!(#rt::SyncCell::new(::core::default::Default::default())))
    }

    /// `EXCLUSIVE_SYSTEMS`: whether each system takes `&mut World`.
    pub(super) fn exclusive_flags(&self) -> impl Iterator<Item = TokenStream> + '_ {
        let (rt, ident) = (crate::expand::rt(), &self.world);
        self.paths.iter().map(
            move |path| quote_spanned!(path.span()=> <#path as #rt::System<#ident>>::EXCLUSIVE),
        )
    }

    /// The arms of `run_exclusive`, one per system.
    pub(super) fn exclusive_arms(&self) -> impl Iterator<Item = TokenStream> + '_ {
        let (rt, ident) = (crate::expand::rt(), &self.world);
        self.paths.iter().enumerate().map(move |(i, path)| {
            quote! {
                #i => <#path as #rt::System<#ident>>::run_exclusive(self),
            }
        })
    }

    /// The arms of `run_system`, one per system.
    pub(super) fn run_arms(&self) -> impl Iterator<Item = TokenStream> + '_ {
        self.extras.run_bodies.iter().enumerate().map(|(i, body)| {
            quote! {
                #i => #body,
            }
        })
    }
}
