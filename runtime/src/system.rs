//! The `System` trait that `#[system]` implements, and parameter access sets.

use crate::bits::Bits;
use crate::commands::CommandBuffer;
use crate::query::{matching, DataAccess};
use crate::world::WorldDef;

/// What one system parameter reads and writes.
// Only built in constants, never stored in bulk: the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug)]
pub enum ParamAccess {
    /// `Commands`, `Local`: nothing shared.
    Nothing,
    /// A query: its data access and archetype filter.
    Query {
        /// Components fetched.
        data: DataAccess,
        /// `With` components.
        with: Bits,
        /// `Without` components.
        without: Bits,
    },
    /// `Res` (`write: false`) or `ResMut` (`write: true`).
    Resource {
        /// The resource's id.
        id: u16,
        /// Whether the access is exclusive.
        write: bool,
    },
    /// `&mut W`, the only parameter of an exclusive system: the whole world. It conflicts
    /// with every system, even one with no parameter, so an exclusive system is alone in
    /// its stage.
    Exclusive,
}

impl ParamAccess {
    /// Whether `self` and `other` conflict in a world with these archetype sets: one
    /// writes a column (archetype, component) or resource the other reads or writes.
    pub const fn conflicts(&self, other: &ParamAccess, archetypes: &[Bits]) -> bool {
        match (self, other) {
            (
                ParamAccess::Resource { id: a, write: wa },
                ParamAccess::Resource { id: b, write: wb },
            ) => *a == *b && (*wa || *wb),
            (
                ParamAccess::Query {
                    data: da,
                    with: fa,
                    without: xa,
                },
                ParamAccess::Query {
                    data: db,
                    with: fb,
                    without: xb,
                },
            ) => {
                // The component clash first: it is a few word operations, and most pairs
                // of systems touch different components, so the archetype matching (a
                // loop over every archetype, slow in the const evaluator that computes
                // the schedule) is skipped for them.
                let touched_a = da.reads.union(da.writes);
                let touched_b = db.reads.union(db.writes);
                let clash = da
                    .writes
                    .intersection(touched_b)
                    .union(db.writes.intersection(touched_a));
                if clash.is_empty() {
                    return false;
                }
                // A sparse component is one column, whatever archetypes the queries match.
                if clash.intersects(&da.sparse.union(db.sparse)) {
                    return true;
                }
                let both = matching(archetypes, da.required.union(*fa), *xa)
                    .intersection(matching(archetypes, db.required.union(*fb), *xb));
                let mut next = both.next_from(0);
                while let Some(a) = next {
                    if archetypes[a].intersects(&clash) {
                        return true;
                    }
                    next = both.next_from(a + 1);
                }
                false
            }
            _ => false,
        }
    }
}

/// Whether any parameter of `a` conflicts with any parameter of `b`.
pub const fn params_conflict(a: &[ParamAccess], b: &[ParamAccess], archetypes: &[Bits]) -> bool {
    if is_exclusive(a) || is_exclusive(b) {
        return true;
    }
    let mut i = 0;
    while i < a.len() {
        let mut j = 0;
        while j < b.len() {
            if a[i].conflicts(&b[j], archetypes) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

/// Whether these are the parameters of an exclusive system (`&mut W`).
pub const fn is_exclusive(params: &[ParamAccess]) -> bool {
    let mut i = 0;
    while i < params.len() {
        if let ParamAccess::Exclusive = params[i] {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether two different parameters of one system conflict.
pub const fn self_conflict(params: &[ParamAccess], archetypes: &[Bits]) -> bool {
    let mut i = 0;
    while i < params.len() {
        let mut j = i + 1;
        while j < params.len() {
            if params[i].conflicts(&params[j], archetypes) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

/// What a system is whatever the world: its name and its state (its `Local`s).
/// `#[system]` implements it on the struct named like the function.
pub trait SystemMeta {
    /// The function's name.
    const NAME: &'static str;
    /// Per-system state (its `Local`s).
    type State: Default + Send + 'static;
    /// Whether this is [`NotASystem`](crate::NotASystem), what `#[world]` finds where a
    /// listed path names a function without `#[system]` (its check then fails, naming the
    /// function).
    #[doc(hidden)]
    const NOT_A_SYSTEM: bool = false;
}

/// A system runnable in world `W`. `#[system]` implements it on a struct named like the
/// function, for every world that has the components and resources it uses.
///
/// # Safety
/// `PARAMS` declares everything `run` accesses.
pub unsafe trait System<W: WorldDef>: SystemMeta {
    /// Access of each parameter, in order.
    const PARAMS: &'static [ParamAccess];
    /// Evaluating it checks the parameters against `W` at compile time (a query that
    /// matches no archetype, or aliases itself, fails here).
    const CHECK: ();
    /// Fetches the parameters and calls the function.
    ///
    /// # Safety
    /// Nothing else accesses what `PARAMS` writes, and nothing writes what it reads, while
    /// it runs; `commands` is this system's buffer.
    unsafe fn run(world: &W, state: &mut Self::State, commands: &mut CommandBuffer);
    /// Whether the system is exclusive: its only parameter is `&mut W`, and the world
    /// runs it with [`System::run_exclusive`], never [`System::run`].
    const EXCLUSIVE: bool = false;
    /// Calls an exclusive system with the whole world; does nothing for the others.
    #[inline(always)]
    fn run_exclusive(world: &mut W) {
        let _ = world;
    }
}
