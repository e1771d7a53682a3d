//! How `#[world]` names the systems listed in `systems(...)`, so that a function listed
//! without `#[system]` is reported as such (and not as rustc's "expected type, found
//! function").
//!
//! `#[world]` resolves each listed path in a block of its own: it glob-imports a
//! fallback module holding [`NotASystem`] (type namespace) and [`NoItem`] (value
//! namespace) under a private name, then imports the user's path under that same name.
//! The explicit import shadows the glob in each namespace where the path names
//! something, and only there. So the type is the `#[system]`'s struct if there is one,
//! [`NotASystem`] otherwise; the value is the user's function if there is one, a
//! [`NoItem`] otherwise (then rustc has reported the unresolved path already). A
//! [`ListedSystem`] impl carries the type out of the block. The block can see whatever
//! the world's own scope sees, block-scope items of a function body included.

use crate::commands::CommandBuffer;
use crate::condition::{ConditionMeta, RunCondition};
use crate::system::{ParamAccess, System, SystemMeta};
use crate::world::WorldDef;

/// What a path listed in `#[world(systems(...))]` (a system, or a run condition in
/// `run_if(...)`) names in the type namespace when it is a function without `#[system]`: a system that accesses nothing and does nothing, so
/// that the world's only error is its check of [`SystemMeta::NOT_A_SYSTEM`], which names
/// the function and says to add the attribute. Never run: that check fails the build.
///
/// ```
/// use metronome_runtime::{NotASystem, SystemMeta};
/// assert!(NotASystem::NOT_A_SYSTEM);
/// ```
#[doc(hidden)]
pub struct NotASystem {
    _private: (),
}

impl SystemMeta for NotASystem {
    const NAME: &'static str = "(a function without `#[system]`)";
    type State = ();
    const NOT_A_SYSTEM: bool = true;
}

// SAFETY: `run` accesses nothing, and `PARAMS` is empty, so it declares all `run` does.
unsafe impl<W: WorldDef> System<W> for NotASystem {
    const PARAMS: &'static [ParamAccess] = &[];
    const CHECK: () = ();

    unsafe fn run(_: &W, _: &mut (), _: &mut CommandBuffer) {}
}

/// As a run condition (a function without `#[system]` in `run_if(...)`): no write
/// parameter, so that the world's only error is the "not a `#[system]`" one.
impl ConditionMeta for NotASystem {
    type Output = bool;
    const WRITE_ERROR: &'static str = "";
}

// SAFETY: `evaluate` accesses nothing, and `PARAMS` (of `System<W>`, above) is empty.
unsafe impl<W: WorldDef> RunCondition<W> for NotASystem {
    unsafe fn evaluate(_: &W, _: &mut (), _: &mut CommandBuffer) -> bool {
        false
    }
}

/// The type of the value a listed path falls back to when it names no value (it names
/// nothing, or only a type): a zero-sized type with an alignment no function, constant
/// or constructor a user lists can have, which [`names_an_item`] tells apart.
///
/// ```
/// use metronome_runtime::{names_an_item, NoItem};
/// assert!(!names_an_item(&NoItem));
/// ```
#[doc(hidden)]
#[repr(align(536870912))]
pub struct NoItem;

/// Whether `value` is what a listed path names (a function, typically), not the
/// [`NoItem`] fallback: `#[world]` reports a listed function without `#[system]` only
/// when the path names one, since rustc has reported a path that names nothing.
///
/// ```
/// use metronome_runtime::{names_an_item, NoItem};
/// fn damage() {}
/// assert!(names_an_item(&damage));
/// assert!(!names_an_item(&NoItem));
/// ```
#[doc(hidden)]
pub const fn names_an_item<T>(value: &T) -> bool {
    let _ = value;
    core::mem::align_of::<T>() != core::mem::align_of::<NoItem>()
}

/// How `#[world]` names a listed system outside the block that resolved it: a private
/// type per listed path implements it, with `System` the path's `#[system]` struct (or
/// [`NotASystem`]).
///
/// ```
/// use metronome_runtime::{ListedSystem, NotASystem};
/// struct Listed;
/// impl ListedSystem for Listed {
///     type System = NotASystem;
/// }
/// ```
#[doc(hidden)]
pub trait ListedSystem {
    /// The listed system.
    type System;
}
