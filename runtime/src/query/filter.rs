//! Query filters: `With<T>`, `Without<T>` and tuples of them.

use crate::bits::Bits;
use crate::component::{Component, ComponentOf};
use std::marker::PhantomData;

/// Matches archetypes that have component `T` (without fetching it).
///
/// ```
/// # use metronome_runtime::{With, QueryFilter};
/// fn takes<F: QueryFilter>() {}
/// # struct Frozen; impl metronome_runtime::Component for Frozen { const NAME: &'static str = "Frozen"; }
/// takes::<With<Frozen>>();
/// ```
pub struct With<T>(PhantomData<fn() -> T>);

/// Matches archetypes that lack component `T`.
///
/// ```
/// # use metronome_runtime::{Without, QueryFilter};
/// fn takes<F: QueryFilter>() {}
/// # struct Frozen; impl metronome_runtime::Component for Frozen { const NAME: &'static str = "Frozen"; }
/// takes::<Without<Frozen>>();
/// ```
pub struct Without<T>(PhantomData<fn() -> T>);

/// An archetype-level filter of a query.
pub trait QueryFilter {}

/// A filter whose components all belong to world `W`.
pub trait QueryFilterOf<W>: QueryFilter {
    /// Components an archetype must have.
    const WITH: Bits;
    /// Components an archetype must lack.
    const WITHOUT: Bits;
    /// Sparse components an entity must carry (never in `WITH`).
    const SPARSE_WITH: Bits = Bits::EMPTY;
    /// Sparse components an entity must lack (never in `WITHOUT`).
    const SPARSE_WITHOUT: Bits = Bits::EMPTY;
    /// Tracked components a row must have been given since the system's last run
    /// (`Added<T>`).
    const ADDED: Bits = Bits::EMPTY;
    /// Tracked components a row must have changed since the system's last run
    /// (`Changed<T>`).
    const CHANGED: Bits = Bits::EMPTY;
}

impl QueryFilter for () {}
impl<W> QueryFilterOf<W> for () {
    const WITH: Bits = Bits::EMPTY;
    const WITHOUT: Bits = Bits::EMPTY;
}

impl<T: Component> QueryFilter for With<T> {}
impl<W, T: ComponentOf<W>> QueryFilterOf<W> for With<T> {
    const WITH: Bits = if T::SPARSE {
        Bits::EMPTY
    } else {
        Bits::single(T::ID as usize)
    };
    const WITHOUT: Bits = Bits::EMPTY;
    const SPARSE_WITH: Bits = if T::SPARSE {
        Bits::single(T::ID as usize)
    } else {
        Bits::EMPTY
    };
}

impl<T: Component> QueryFilter for Without<T> {}
impl<W, T: ComponentOf<W>> QueryFilterOf<W> for Without<T> {
    const WITH: Bits = Bits::EMPTY;
    const WITHOUT: Bits = if T::SPARSE {
        Bits::EMPTY
    } else {
        Bits::single(T::ID as usize)
    };
    const SPARSE_WITHOUT: Bits = if T::SPARSE {
        Bits::single(T::ID as usize)
    } else {
        Bits::EMPTY
    };
}

macro_rules! tuple_filter {
    ($($t:ident),+) => {
        impl<$($t: QueryFilter),+> QueryFilter for ($($t,)+) {}
        impl<__W, $($t: QueryFilterOf<__W>),+> QueryFilterOf<__W> for ($($t,)+) {
            const WITH: Bits = Bits::EMPTY $(.union($t::WITH))+;
            const WITHOUT: Bits = Bits::EMPTY $(.union($t::WITHOUT))+;
            const SPARSE_WITH: Bits = Bits::EMPTY $(.union($t::SPARSE_WITH))+;
            const SPARSE_WITHOUT: Bits = Bits::EMPTY $(.union($t::SPARSE_WITHOUT))+;
            const ADDED: Bits = Bits::EMPTY $(.union($t::ADDED))+;
            const CHANGED: Bits = Bits::EMPTY $(.union($t::CHANGED))+;
        }
    };
}

tuple_filter!(A);
tuple_filter!(A, B);
tuple_filter!(A, B, C);
tuple_filter!(A, B, C, D);
tuple_filter!(A, B, C, D, E);
tuple_filter!(A, B, C, D, E, F);
tuple_filter!(A, B, C, D, E, F, G);
tuple_filter!(A, B, C, D, E, F, G, H);
