//! The seed's bugs cannot happen here:
//! - P1-DESPAWN: despawn (and insert/remove moves) from the first, middle and last row keep
//!   every other entity's data right; a stale handle never reaches a reused slot;
//! - P1-OPTIONAL: `Option<&T>` in queries sees present and absent components;
//! - commands apply in system declaration order, then call order, whatever order the
//!   systems ran in;
//! - P1-COMMIT: a failed command changes nothing and is reported.
//!
//! One module per bug class, each with its own world.

use metronome::prelude::*;

pub mod command_order;
pub mod despawn;
pub mod failed_commands;

// The components the worlds of `command_order` and `failed_commands` share.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);
